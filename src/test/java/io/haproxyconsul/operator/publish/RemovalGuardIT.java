package io.haproxyconsul.operator.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.haproxyconsul.operator.reconciler.BindingFixture;
import io.haproxyconsul.operator.testenv.OperatorEnvironment;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An emptied catalog (every instance gone at once, as after a fresh Consul agent or a wrong datacenter) never
 * wipes the routes by itself: the last configuration keeps being published until a person approves the removal
 * or it has lasted {@code holdFor}; a removal within the allowed share goes out as usual.
 */
@QuarkusTest
@WithTestResource(OperatorEnvironment.class)
class RemovalGuardIT {

    OperatorEnvironment env;

    @Test
    void anEmptiedCatalogIsHeldUntilApprovedWhileSmallerRemovalsGoOut() {
        var edge = binding("emptied", "0");
        String served = edge.binding().getStatus().currentConfig.hash;

        env.consul().deregister("emptied-a-4");
        await("a quarter of the servers go at once").atMost(BindingFixture.PUBLISH).untilAsserted(() -> assertThat(
                edge.binding().getStatus().currentConfig.servers).isEqualTo(3));
        String afterSmallRemoval = edge.binding().getStatus().currentConfig.hash;
        assertThat(afterSmallRemoval).isNotEqualTo(served);

        List.of("emptied-a-1", "emptied-a-2", "emptied-b-1").forEach(env.consul()::deregister);

        await("the removal is held").atMost(BindingFixture.PUBLISH).untilAsserted(() -> {
            assertThat(edge.condition("Ready")).hasValueSatisfying(c -> {
                assertThat(c.getStatus()).isEqualTo("False");
                assertThat(c.getReason()).isEqualTo("RemovalHeld");
                assertThat(c.getMessage()).contains("would leave 0 of").contains("approve-removal=");
            });
            assertThat(edge.binding().getStatus().removalHold.configHash).isNotNull();
        });
        assertThat(edge.binding().getStatus().currentConfig.hash).isEqualTo(afterSmallRemoval);
        assertThat(edge.warningEvents()).anySatisfy(e -> assertThat(e.getReason()).isEqualTo("RemovalHeld"));

        String held = edge.binding().getStatus().removalHold.configHash;
        env.controlPlane().kubectl("annotate", "-n", edge.namespace, "hcb/" + edge.name,
                "haproxyconsul.io/approve-removal=" + held).assertSuccess();

        await("the approved configuration is published").atMost(BindingFixture.PUBLISH).untilAsserted(() -> {
            var status = edge.binding().getStatus();
            assertThat(status.currentConfig.hash).isEqualTo(held);
            assertThat(status.currentConfig.servers).isZero();
            assertThat(status.removalHold).isNull();
            assertThat(edge.condition("Ready")).hasValueSatisfying(c -> assertThat(c.getStatus()).isEqualTo("True"));
        });
    }

    @Test
    void aHeldRemovalThatPersistsGoesOutAfterHoldFor() {
        var edge = binding("persisting", "2s");
        List.of("persisting-a-1", "persisting-a-2", "persisting-a-4", "persisting-b-1")
                .forEach(env.consul()::deregister);

        await("the removal is held first").atMost(BindingFixture.PUBLISH).until(() -> edge.condition("Ready")
                .filter(c -> "RemovalHeld".equals(c.getReason())).isPresent());
        await("then published, having persisted").atMost(BindingFixture.PUBLISH).untilAsserted(() -> {
            assertThat(edge.binding().getStatus().currentConfig.servers).isZero();
            assertThat(edge.condition("Ready")).hasValueSatisfying(c -> assertThat(c.getStatus()).isEqualTo("True"));
        });
    }

    /** Two services, a of three instances and b of one, all published; the guard holds for {@code holdFor}. */
    private BindingFixture binding(String name, String holdFor) {
        for (String id : List.of("a-1", "a-2", "a-4")) {
            env.consul().registerService(name + "-a", name + "-" + id, List.of("http"), "10.0.0.1", 8080);
        }
        env.consul().registerService(name + "-b", name + "-b-1", List.of("http"), "10.0.0.2", 8080);
        var edge = new BindingFixture(env.controlPlane(), name);
        edge.apply("""
                  consul:
                    address: %s
                  services:
                    include: ["%s-.*"]
                  routing:
                    domain: %s.test
                  rollout:
                    debounce: {min: 100ms, max: 500ms}
                    removalGuard: {holdFor: "%s"}
                """.formatted(env.consul().httpAddress(), name, name, holdFor));
        edge.awaitReady();
        await("every instance published").atMost(BindingFixture.PUBLISH).untilAsserted(() -> assertThat(
                edge.binding().getStatus().currentConfig.servers).isEqualTo(4));
        return edge;
    }
}
