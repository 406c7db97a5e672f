package io.haproxyconsul.operator.testenv;

import io.haproxyconsul.operator.consul.CatalogSnapshot;
import io.haproxyconsul.operator.consul.ServiceInstance;
import io.haproxyconsul.operator.consul.ServiceInstance.HealthStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A catalog of {@code services} services named {@code svc-00000}... with {@code instances} instances each, tagged
 * http, spread over loopback addresses where nothing listens, for tests and benchmarks at scale.
 */
public final class SyntheticCatalog {

    private SyntheticCatalog() {
    }

    /** @param firstServicePorts where svc-00000's instances really listen (on 127.0.0.1), or empty */
    public static CatalogSnapshot of(int services, int instances, List<Integer> firstServicePorts) {
        return of(services, instances, "127.0.0.1", firstServicePorts);
    }

    /** The same with svc-00000's instances listening on {@code firstServiceAddress} (the node's bridge, say). */
    public static CatalogSnapshot of(int services, int instances, String firstServiceAddress,
            List<Integer> firstServicePorts) {
        var names = new TreeMap<String, List<String>>();
        var all = new TreeMap<String, List<ServiceInstance>>();
        for (int s = 0; s < services; s++) {
            String name = name(s);
            names.put(name, List.of("http"));
            var list = new ArrayList<ServiceInstance>();
            for (int i = 0; i < instances; i++) {
                boolean real = s == 0 && i < firstServicePorts.size();
                String address = real ? firstServiceAddress : "127.%d.%d.%d".formatted(1 + s / 256, s % 256, 1 + i);
                list.add(new ServiceInstance(name + "-" + i, "node-" + i, address,
                        real ? firstServicePorts.get(i) : 8080, List.of("http"), HealthStatus.PASSING));
            }
            all.put(name, list);
        }
        return CatalogSnapshot.of(names, all, Map.of());
    }

    public static String name(int service) {
        return "svc-%05d".formatted(service);
    }
}
