package io.haproxyconsul.operator.testenv;

import static org.assertj.core.api.Assertions.assertThat;

import io.haproxyconsul.operator.testenv.ConsulAgent.ConsulResponse;
import io.haproxyconsul.operator.testenv.RealParts.Part;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Blocking queries on a real Consul agent, the mechanism the operator watches the catalog with: a query parked at
 * an index answers as soon as the service changes, with a higher index and the change in its body.
 */
class ConsulBlockingQueryIT {

    /** Far longer than a change takes to show; bounds a test whose query never returns. */
    private static final Duration ANSWER_BOUND = Duration.ofSeconds(90);

    private static ConsulAgent consul;

    @BeforeAll
    static void startConsul() {
        consul = ConsulAgent.start(RealParts.require(Part.CONSUL));
    }

    @AfterAll
    static void stopConsul() {
        if (consul != null) {
            consul.close();
        }
    }

    @Test
    void aNewInstanceWakesTheQueryWithAHigherIndex() {
        consul.registerService("orders", "orders-1", List.of("v1"), "127.0.0.1", 9001);
        ConsulResponse before = consul.get("/v1/health/service/orders");
        assertThat(before.index()).isPositive();
        assertThat(before.json().findValuesAsText("ID")).contains("orders-1").doesNotContain("orders-2");

        var blocked = consul.getAsync("/v1/health/service/orders?index=" + before.index() + "&wait=30s");
        consul.registerService("orders", "orders-2", List.of("v1"), "127.0.0.1", 9002);

        assertThat(blocked).succeedsWithin(ANSWER_BOUND).satisfies(after -> {
            assertThat(after.status()).isEqualTo(200);
            assertThat(after.index()).isGreaterThan(before.index());
            assertThat(after.json().findValuesAsText("ID")).contains("orders-1", "orders-2");
        });
    }

    @Test
    void aFailingCheckWakesTheQueryAndDropsTheInstanceFromPassing() {
        consul.registerService("billing", "billing-1", List.of(), "127.0.0.1", 9101);
        consul.registerService("billing", "billing-2", List.of(), "127.0.0.1", 9102);
        ConsulResponse before = consul.get("/v1/health/service/billing?passing=true");
        assertThat(before.json().findValuesAsText("ID")).contains("billing-1", "billing-2");

        var blocked = consul.getAsync("/v1/health/service/billing?passing=true&index=" + before.index() + "&wait=30s");
        consul.failCheck("billing-2");

        assertThat(blocked).succeedsWithin(ANSWER_BOUND).satisfies(after -> {
            assertThat(after.index()).isGreaterThan(before.index());
            assertThat(after.json().findValuesAsText("ID")).contains("billing-1").doesNotContain("billing-2");
        });
    }
}
