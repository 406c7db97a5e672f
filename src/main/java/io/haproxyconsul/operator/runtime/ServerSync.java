package io.haproxyconsul.operator.runtime;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a running HAProxy must be told so that each backend sends traffic to exactly the desired servers, through
 * its Runtime API and without a reload. A pure function of the pod's {@link ServersState} and the desired servers.
 *
 * <p>A slot that already serves a desired server keeps it, so connections and cookies stay where they are. A new
 * server takes the slot of one that left (its address changes in one step) or a free slot in maintenance; a
 * server that left with no newcomer to take its slot goes into maintenance, which lets its requests in flight
 * finish. Additions come before removals, so a backend is never empty in between.
 *
 * @param commands Runtime API commands, in order
 * @param unsynced per backend, why the pod cannot serve the desired servers without a new configuration (no such
 *        backend, no free slot left, a DNS name); empty when the commands are enough
 */
public record ServerSync(List<String> commands, Map<String, String> unsynced) {

    public boolean complete() {
        return unsynced.isEmpty();
    }

    public static ServerSync plan(ServersState state, Map<String, ? extends Collection<Endpoint>> desired) {
        var additions = new ArrayList<String>();
        var removals = new ArrayList<String>();
        var unsynced = new TreeMap<String, String>();
        new TreeMap<>(desired).forEach((backend, servers) -> {
            var slots = state.backends().get(backend);
            if (slots == null) {
                unsynced.put(backend, "the running configuration has no backend " + backend);
                return;
            }
            var missing = new ArrayList<>(servers.stream().sorted().toList());
            var leaving = new ArrayDeque<ServerSlot>();
            var free = new ArrayDeque<ServerSlot>();
            for (var slot : slots) {
                if (slot.inMaintenance()) {
                    free.add(slot);
                } else if (!missing.removeIf(new FirstMatch(slot))) {
                    leaving.add(slot);
                }
            }
            for (var server : missing) {
                if (!server.isIpAddress()) {
                    unsynced.put(backend, "server " + server + " has a DNS name, which the Runtime API cannot set");
                    continue;
                }
                var reused = leaving.poll();
                var slot = reused != null ? reused : free.poll();
                if (slot == null) {
                    unsynced.put(backend, "no free server slot left for " + server);
                    break;
                }
                String target = backend + "/" + slot.name();
                additions.add("set server " + target + " addr " + server.host() + " port " + server.port());
                if (reused == null) {
                    additions.add("set server " + target + " state ready");
                }
            }
            leaving.forEach(slot -> removals.add("set server " + backend + "/" + slot.name() + " state maint"));
        });
        var commands = new ArrayList<>(additions);
        commands.addAll(removals);
        return new ServerSync(List.copyOf(commands), unsynced);
    }

    /** Matches the first desired server a slot serves, once: two instances may share an address and port. */
    private static final class FirstMatch implements java.util.function.Predicate<Endpoint> {
        private final ServerSlot slot;
        private boolean matched;

        FirstMatch(ServerSlot slot) {
            this.slot = slot;
        }

        @Override
        public boolean test(Endpoint endpoint) {
            if (!matched && slot.serves(endpoint)) {
                matched = true;
                return true;
            }
            return false;
        }
    }
}
