package io.haproxyconsul.operator.consul;

import io.haproxyconsul.operator.consul.ServiceInstance.HealthStatus;
import io.vertx.ext.consul.Check;
import io.vertx.ext.consul.CheckStatus;
import io.vertx.ext.consul.KeyValue;
import io.vertx.ext.consul.ServiceEntry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Consul's answers as this operator's data, sorted so that equal answers are equal values. Nothing checked yet. */
final class ConsulAnswers {

    private ConsulAnswers() {
    }

    static Map<String, List<String>> catalog(List<io.vertx.ext.consul.Service> services) {
        var catalog = new TreeMap<String, List<String>>();
        if (services != null) {
            // Consul lists a service's tags in no particular order; sorted, an unchanged catalog is an equal value.
            services.forEach(s -> catalog.put(s.getName(), s.getTags() == null ? List.of()
                    : s.getTags().stream().sorted().toList()));
        }
        return catalog;
    }

    static List<ServiceInstance> instances(List<ServiceEntry> entries) {
        var instances = new ArrayList<ServiceInstance>();
        if (entries != null) {
            for (var entry : entries) {
                var service = entry.getService();
                String address = service.getAddress() == null || service.getAddress().isEmpty()
                        ? entry.getNode().getAddress()
                        : service.getAddress();
                instances.add(new ServiceInstance(service.getId(), entry.getNode().getName(), address,
                        service.getPort(), service.getTags() == null ? List.of() : List.copyOf(service.getTags()),
                        worst(entry.getChecks())));
            }
        }
        instances.sort(Comparator.comparing(ServiceInstance::serviceId).thenComparing(ServiceInstance::node));
        return List.copyOf(instances);
    }

    private static HealthStatus worst(List<Check> checks) {
        var status = HealthStatus.PASSING;
        for (var check : checks == null ? List.<Check>of() : checks) {
            if (check.getStatus() == CheckStatus.CRITICAL) {
                return HealthStatus.CRITICAL;
            }
            if (check.getStatus() == CheckStatus.WARNING) {
                status = HealthStatus.WARNING;
            }
        }
        return status;
    }

    static Map<String, String> values(List<KeyValue> values) {
        var kv = new TreeMap<String, String>();
        if (values != null) {
            values.forEach(v -> kv.put(v.getKey(), v.getValue() == null ? "" : v.getValue()));
        }
        return kv;
    }
}
