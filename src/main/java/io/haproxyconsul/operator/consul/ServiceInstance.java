package io.haproxyconsul.operator.consul;

import java.util.List;

/**
 * One instance of a Consul service, exactly as Consul reported it: nothing here has been checked yet.
 *
 * @param address the service address, or the node address when the service has none
 * @param health the worst status among the instance's checks
 */
public record ServiceInstance(String serviceId, String node, String address, int port, List<String> tags,
        HealthStatus health) {

    public enum HealthStatus {
        PASSING,
        WARNING,
        CRITICAL
    }
}
