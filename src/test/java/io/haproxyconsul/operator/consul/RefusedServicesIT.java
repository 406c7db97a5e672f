package io.haproxyconsul.operator.consul;

import static org.assertj.core.api.Assertions.assertThat;

import io.haproxyconsul.operator.reconciler.BindingFixture;
import io.haproxyconsul.operator.testenv.ConsulAgent;
import io.haproxyconsul.operator.testenv.FreePorts;
import io.haproxyconsul.operator.testenv.OperatorEnvironment;
import io.haproxyconsul.operator.testenv.RealParts;
import io.haproxyconsul.operator.testenv.RealParts.Part;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Services a binding selects but Consul cannot be asked about, or will not answer for, on a real Consul: each is
 * left out with its reason, and the others keep flowing. A Consul of its own, so that no other binding selects
 * these names.
 */
@QuarkusTest
@WithTestResource(OperatorEnvironment.class)
class RefusedServicesIT {

    OperatorEnvironment env;

    @Test
    void servicesConsulCannotOrWillNotAnswerForAreLeftOutAndNeverHoldTheOthersBack() {
        try (var consul = ConsulAgent.start(RealParts.require(Part.CONSUL))) {
            int port = FreePorts.next();
            consul.registerService("good", "good-1", List.of("http"), "127.0.0.1", port);
            consul.registerService("bad\nname", "bad-1", List.of("http"), "127.0.0.1", port);
            consul.registerService("odd#name", "odd-1", List.of("http"), "127.0.0.1", port);
            // Consul's router cleans the path /v1/health/service/. to /v1/health/service/: it answers 400.
            consul.registerService(".", "dot-1", List.of("http"), "127.0.0.1", port);
            var binding = new BindingFixture(env.controlPlane(), "refused");
            binding.apply("""
                      consul:
                        address: %s
                      services:
                        include: ["good.*", "(?s)bad.*", "odd.*", "[.]"]
                      routing:
                        domain: refused.test
                      rollout:
                        debounce: {min: 100ms, max: 500ms}
                    """.formatted(consul.httpAddress()));
            binding.awaitReady();

            binding.awaitConfig("good published", text -> text.contains(BindingFixture.server("good-1",
                    "127.0.0.1:" + port)));
            assertThat(binding.binding().getStatus().rejectedValues)
                    .anySatisfy(r -> assertThat(r).startsWith("service bad\\x0aname: ").contains("control character"))
                    .anySatisfy(r -> assertThat(r).startsWith("service odd#name: ").contains("'#'"))
                    .anySatisfy(r -> assertThat(r).startsWith("service .: ").contains("Consul answered 400"));
            assertSynced(binding);

            consul.registerService("good-too", "good-too-1", List.of("http"), "127.0.0.1", port);
            consul.registerService("good", "good-2", List.of("http"), "127.0.0.1", port);
            binding.awaitConfig("later registrations published", text -> text.contains("backend be_good-too")
                    && text.contains(BindingFixture.server("good-2", "127.0.0.1:" + port)));
            assertSynced(binding);
            assertThat(binding.warningEvents()).anySatisfy(event -> assertThat(event.getMessage())
                    .contains("odd#name"));
        }
    }

    private static void assertSynced(BindingFixture binding) {
        assertThat(binding.condition("ConsulSynced")).hasValueSatisfying(c -> {
            assertThat(c.getStatus()).isEqualTo("True");
            assertThat(c.getReason()).isEqualTo("Synced");
        });
    }
}
