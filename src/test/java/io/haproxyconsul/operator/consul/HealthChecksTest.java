package io.haproxyconsul.operator.consul;

import static io.haproxyconsul.operator.consul.ServiceInstance.HealthStatus.CRITICAL;
import static io.haproxyconsul.operator.consul.ServiceInstance.HealthStatus.PASSING;
import static io.haproxyconsul.operator.consul.ServiceInstance.HealthStatus.WARNING;
import static org.assertj.core.api.Assertions.assertThat;

import io.haproxyconsul.operator.consul.HealthChecks.Check;
import java.util.List;
import org.junit.jupiter.api.Test;

class HealthChecksTest {

    private static final Check NODE_A = new Check("a", "serfHealth", "", "", PASSING);
    private static final Check WEB_1 = new Check("a", "service:web-1", "web-1", "web", PASSING);
    private static final Check WEB_2 = new Check("a", "service:web-2", "web-2", "web", PASSING);

    @Test
    void anInstanceIsAsHealthyAsTheWorstOfItsOwnAndItsNodesChecks() {
        var checks = new HealthChecks(List.of(NODE_A, WEB_1, withStatus(WEB_2, WARNING)));
        assertThat(checks.status("a", "web-1")).isEqualTo(PASSING);
        assertThat(checks.status("a", "web-2")).isEqualTo(WARNING);
        assertThat(checks.status("b", "web-3")).as("no checks at all").isEqualTo(PASSING);

        var nodeDown = new HealthChecks(List.of(withStatus(NODE_A, CRITICAL), WEB_1, withStatus(WEB_2, WARNING)));
        assertThat(nodeDown.status("a", "web-1")).isEqualTo(CRITICAL);
        assertThat(nodeDown.status("a", "web-2")).isEqualTo(CRITICAL);
    }

    @Test
    void onlyServicesThatGainedOrLostChecksAreListedNotStatusChanges() {
        var before = new HealthChecks(List.of(NODE_A, WEB_1));
        var db = new Check("a", "service:db-1", "db-1", "db", CRITICAL);

        assertThat(new HealthChecks(List.of(withStatus(NODE_A, CRITICAL), withStatus(WEB_1, CRITICAL)))
                .servicesWithOtherChecks(before)).isEmpty();
        assertThat(new HealthChecks(List.of(NODE_A, WEB_1, WEB_2, db)).servicesWithOtherChecks(before))
                .containsExactlyInAnyOrder("web", "db");
        assertThat(new HealthChecks(List.of(NODE_A)).servicesWithOtherChecks(before)).containsExactly("web");
        assertThat(before.servicesWithOtherChecks(HealthChecks.NONE)).containsExactly("web");
    }

    private static Check withStatus(Check check, ServiceInstance.HealthStatus status) {
        return new Check(check.node(), check.checkId(), check.serviceId(), check.serviceName(), status);
    }
}
