package io.haproxyconsul.operator.consul;

import io.haproxyconsul.operator.consul.ServiceInstance.HealthStatus;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Every health check of one Consul, as {@code /v1/health/state/any} lists them, indexed for the two questions the
 * catalog mirror asks: how healthy is an instance, and which services gained or lost checks.
 */
final class HealthChecks {

    /** One check; {@code serviceId} is empty for a check of the whole node. */
    record Check(String node, String checkId, String serviceId, String serviceName, HealthStatus status) {
    }

    static final HealthChecks NONE = new HealthChecks(List.of());

    private final List<Check> checks;
    private final Map<String, List<Check>> byNode = new HashMap<>();
    /** Service name → its checks' identities (node, check, instance), without status: registrations show here. */
    private final Map<String, Set<String>> identities = new HashMap<>();

    HealthChecks(List<Check> checks) {
        this.checks = List.copyOf(checks);
        for (var check : this.checks) {
            byNode.computeIfAbsent(check.node(), n -> new java.util.ArrayList<>()).add(check);
            if (!check.serviceId().isEmpty()) {
                identities.computeIfAbsent(check.serviceName(), n -> new TreeSet<>())
                        .add(check.node() + "\u0000" + check.checkId() + "\u0000" + check.serviceId());
            }
        }
    }

    /** As Consul's health endpoint judges an instance: the worst of its node's checks and its own. */
    HealthStatus status(String node, String serviceId) {
        var status = HealthStatus.PASSING;
        for (var check : byNode.getOrDefault(node, List.of())) {
            if (check.serviceId().isEmpty() || check.serviceId().equals(serviceId)) {
                if (check.status() == HealthStatus.CRITICAL) {
                    return HealthStatus.CRITICAL;
                }
                if (check.status() == HealthStatus.WARNING) {
                    status = HealthStatus.WARNING;
                }
            }
        }
        return status;
    }

    /**
     * Services whose set of checks differs between the two states: an instance with checks was registered or
     * deregistered, or its checks were redefined. A status change alone is not listed; {@link #status} covers it.
     */
    Set<String> servicesWithOtherChecks(HealthChecks previous) {
        var changed = new HashSet<String>();
        identities.forEach((service, ids) -> {
            if (!ids.equals(previous.identities.get(service))) {
                changed.add(service);
            }
        });
        previous.identities.keySet().stream().filter(service -> !identities.containsKey(service))
                .forEach(changed::add);
        return changed;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HealthChecks other && checks.equals(other.checks);
    }

    @Override
    public int hashCode() {
        return Objects.hash(checks);
    }
}
