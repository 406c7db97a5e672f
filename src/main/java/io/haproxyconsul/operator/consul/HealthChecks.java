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
    /** Node → the worst of its node-level checks. */
    private final Map<String, HealthStatus> nodes = new HashMap<>();
    /**
     * Node → service ID → the worst of that instance's own checks. Two levels rather than one concatenated key: a
     * view judges every instance (50,000 at 5,000 services of 10), and the strings it already holds hash once.
     */
    private final Map<String, Map<String, HealthStatus>> instances = new HashMap<>();
    /** Service name → its checks' identities (node, check, instance), without status: registrations show here. */
    private final Map<String, Set<String>> identities = new HashMap<>();

    HealthChecks(List<Check> checks) {
        this.checks = List.copyOf(checks);
        for (var check : this.checks) {
            if (check.serviceId().isEmpty()) {
                nodes.merge(check.node(), check.status(), HealthChecks::worse);
            } else {
                instances.computeIfAbsent(check.node(), n -> new HashMap<>())
                        .merge(check.serviceId(), check.status(), HealthChecks::worse);
                identities.computeIfAbsent(check.serviceName(), n -> new TreeSet<>())
                        .add(check.node() + "\u0000" + check.serviceId() + "\u0000" + check.checkId());
            }
        }
    }

    /** As Consul's health endpoint judges an instance: the worst of its node's checks and its own. */
    HealthStatus status(String node, String serviceId) {
        return worse(nodes.getOrDefault(node, HealthStatus.PASSING),
                instances.getOrDefault(node, Map.of()).getOrDefault(serviceId, HealthStatus.PASSING));
    }

    private static HealthStatus worse(HealthStatus a, HealthStatus b) {
        return a.compareTo(b) >= 0 ? a : b;
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

    @Override
    public String toString() {
        return checks.toString();
    }
}
