package io.haproxyconsul.operator.consul;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What is known of one Consul's services at one moment, for each binding on that Consul to take its part of.
 * Immutable: the catalog mirror publishes a new one after each burst of answers.
 *
 * @param ready the catalog and the check states have both answered
 * @param catalog every service of the catalog → its tags
 * @param services what the last read of each wanted service gave; a service not listed has not answered yet
 * @param failures the failures of the long polls (catalog, check states)
 * @param readFailures service name → why its last read failed (what it gave before, if anything, still counts)
 */
record CatalogView(boolean ready, Map<String, List<String>> catalog, Map<String, ServiceRead> services,
        List<WatchFailure> failures, Map<String, WatchFailure> readFailures) {

    static final CatalogView WAITING = new CatalogView(false, Map.of(), Map.of(), List.of(), Map.of());

    /** What a read of one service gave. */
    sealed interface ServiceRead {
    }

    /** Its instances, as Consul judges their health. */
    record Instances(List<ServiceInstance> instances) implements ServiceRead {
    }

    /** Nothing to serve: Consul cannot be asked about this service, or refused to answer, for this reason. */
    record Refused(String reason) implements ServiceRead {
    }

    CatalogView {
        catalog = Collections.unmodifiableMap(catalog);
        services = Collections.unmodifiableMap(services);
        failures = List.copyOf(failures);
        readFailures = Collections.unmodifiableMap(readFailures);
    }

    /**
     * What a binding sees: the services it selects with the instances it serves, and those refused with their
     * reasons. Empty until every service it selects has answered, so that no binding publishes half a catalog.
     */
    Optional<CatalogSnapshot> snapshot(ServiceSelector selector, Map<String, String> kv) {
        if (!ready) {
            return Optional.empty();
        }
        var selected = new TreeMap<String, List<String>>();
        var instances = new TreeMap<String, List<ServiceInstance>>();
        var refused = new TreeMap<String, String>();
        for (var service : catalog.entrySet()) {
            String name = service.getKey();
            if (!selector.selects(name, service.getValue())) {
                continue;
            }
            var read = services.get(name);
            if (read instanceof Instances answered) {
                selected.put(name, service.getValue());
                instances.put(name, answered.instances().stream().filter(selector::serves).toList());
            } else if (read instanceof Refused refusal) {
                refused.put(name, refusal.reason());
            } else {
                return Optional.empty();
            }
        }
        return Optional.of(new CatalogSnapshot(selected, instances, new TreeMap<>(kv), refused));
    }

    /** Why a binding's view may be stale: the long polls' failures and those of the services it selects. */
    List<WatchFailure> failures(ServiceSelector selector) {
        var all = new ArrayList<>(failures);
        readFailures.forEach((name, failure) -> {
            var tags = catalog.get(name);
            if (tags != null && selector.selects(name, tags)) {
                all.add(failure);
            }
        });
        return all;
    }
}
