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
 * @param services each wanted service's instances as last read, health as Consul judges it; a service not listed
 *     has not answered yet
 * @param failures the failures of the long polls (catalog, check states)
 * @param readFailures service name → why its last read failed (what it gave before, if anything, still counts)
 */
record CatalogView(boolean ready, Map<String, List<String>> catalog, Map<String, List<ServiceInstance>> services,
        List<WatchFailure> failures, Map<String, WatchFailure> readFailures) {

    static final CatalogView WAITING = new CatalogView(false, Map.of(), Map.of(), List.of(), Map.of());

    CatalogView {
        catalog = Collections.unmodifiableMap(catalog);
        services = Collections.unmodifiableMap(services);
        failures = List.copyOf(failures);
        readFailures = Collections.unmodifiableMap(readFailures);
    }

    /**
     * What a binding sees: the services it selects with the instances it serves. Empty until every service it
     * selects has answered, so that no binding publishes half a catalog.
     */
    Optional<CatalogSnapshot> snapshot(ServiceSelector selector, Map<String, String> kv) {
        if (!ready) {
            return Optional.empty();
        }
        var selected = new TreeMap<String, List<String>>();
        var instances = new TreeMap<String, List<ServiceInstance>>();
        for (var service : catalog.entrySet()) {
            String name = service.getKey();
            if (!selector.selects(name, service.getValue())) {
                continue;
            }
            var read = services.get(name);
            if (read == null) {
                return Optional.empty();
            }
            selected.put(name, service.getValue());
            instances.put(name, read.stream().filter(selector::serves).toList());
        }
        return Optional.of(new CatalogSnapshot(selected, instances, new TreeMap<>(kv)));
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
