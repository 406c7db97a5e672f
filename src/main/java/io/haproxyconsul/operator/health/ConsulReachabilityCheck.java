package io.haproxyconsul.operator.health;

import io.haproxyconsul.operator.consul.ConsulWatches;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Shows, per binding, whether its Consul answers. Always UP: an unreachable Consul is the binding's problem
 * (its ConsulSynced condition says so), not the operator's, and restarting the operator would not fix it.
 */
@Readiness
@ApplicationScoped
public class ConsulReachabilityCheck implements HealthCheck {

    private final ConsulWatches watches;

    public ConsulReachabilityCheck(ConsulWatches watches) {
        this.watches = watches;
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("consul").up().withData("longPolls", watches.longPollCount());
        watches.reachability().forEach((binding, problem) -> response.withData(
                binding.getNamespace().orElse("") + "/" + binding.getName(), problem.orElse("reachable")));
        return response.build();
    }
}
