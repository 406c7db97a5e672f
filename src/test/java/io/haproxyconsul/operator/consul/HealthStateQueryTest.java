package io.haproxyconsul.operator.consul;

import static io.haproxyconsul.operator.consul.ServiceInstance.HealthStatus.CRITICAL;
import static io.haproxyconsul.operator.consul.ServiceInstance.HealthStatus.PASSING;
import static io.haproxyconsul.operator.consul.ServiceInstance.HealthStatus.WARNING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.haproxyconsul.operator.consul.HealthChecks.Check;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class HealthStateQueryTest {

    /** Consul 1.15's shape, with the fields the mirror skips (objects, lists, numbers) in between. */
    private static final String ANSWER = """
            [
              {"Node": "n1", "CheckID": "serfHealth", "Name": "Serf Health Status", "Status": "passing",
               "Notes": "", "Output": "Agent alive and reachable", "ServiceID": "", "ServiceName": "",
               "ServiceTags": [], "Type": "", "Interval": "", "Timeout": "", "ExposedPort": 0,
               "Definition": {"Interval": "0s", "Header": {"X": ["y"]}}, "CreateIndex": 5, "ModifyIndex": 5},
              {"Node": "n1", "CheckID": "service:web-1", "Status": "warning", "ServiceID": "web-1",
               "ServiceName": "web", "ServiceTags": ["http", "v2"], "Definition": {}, "ModifyIndex": 9},
              {"Node": "n1", "CheckID": "_service_maintenance:web-2", "Status": "maintenance", "ServiceID": "web-2",
               "ServiceName": "web", "Output": "line one\\nline \\"two\\""}
            ]
            """;

    @Test
    void readsTheFiveFieldsOfEachCheckAndSkipsTheRest() {
        var checks = HealthStateQuery.parse(Buffer.buffer(ANSWER));

        assertThat(checks).isEqualTo(new HealthChecks(List.of(
                new Check("n1", "_service_maintenance:web-2", "web-2", "web", CRITICAL),
                new Check("n1", "serfHealth", "", "", PASSING),
                new Check("n1", "service:web-1", "web-1", "web", WARNING))));
        assertThat(checks.status("n1", "web-1")).isEqualTo(WARNING);
        assertThat(checks.status("n1", "web-2")).as("maintenance counts as critical").isEqualTo(CRITICAL);
    }

    @Test
    void anAnswerThatIsNotAListIsAnError() {
        assertThatThrownBy(() -> HealthStateQuery.parse(Buffer.buffer("{\"error\": \"ACL not found\"}")))
                .hasMessageContaining("not a list of checks");
        assertThat(HealthStateQuery.parse(Buffer.buffer("[]"))).isEqualTo(HealthChecks.NONE);
    }
}
