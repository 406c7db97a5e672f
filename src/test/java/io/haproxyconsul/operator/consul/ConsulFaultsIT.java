package io.haproxyconsul.operator.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
 * The operator, in this JVM, when the Consul it watches goes away and another agent takes its address: what a
 * Consul upgrade, a replaced pod or a restored cluster looks like from here. Each test has a Consul of its own.
 */
@QuarkusTest
@WithTestResource(OperatorEnvironment.class)
class ConsulFaultsIT {

    /** An ISO-8601 instant in UTC, as the message says since when a watch fails. */
    private static final String UTC_INSTANT = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ";

    OperatorEnvironment env;

    @Test
    void aFreshAgentAtTheSameAddressIsFollowedAtOnceThoughItsIndexesStartOver() {
        int port1 = FreePorts.next();
        int port2 = FreePorts.next();
        var old = ConsulAgent.start(RealParts.require(Part.CONSUL));
        ConsulAgent fresh = null;
        try {
            old.registerService("freshapp", "freshapp-1", List.of("http"), "127.0.0.1", port1);
            // A Consul that has lived a while: its catalog and check indexes far past a new agent's.
            for (int i = 0; i < 100; i++) {
                old.registerService("ballast", "ballast-" + i, List.of("ballast"), "127.0.0.1", 10_000 + i);
            }
            var binding = new BindingFixture(env.controlPlane(), "fresh");
            binding.apply(spec(old, "fresh.*", "fresh/haproxy"));
            binding.awaitReady();
            binding.awaitConfig("freshapp-1 published", text -> text.contains(BindingFixture.server("freshapp-1")));
            long oldIndex = Math.min(old.get("/v1/catalog/services").index(), old.get("/v1/health/state/any").index());

            old.close();
            fresh = ConsulAgent.startInPlaceOf(RealParts.require(Part.CONSUL), old);
            fresh.registerService("freshapp", "freshapp-1", List.of("http"), "127.0.0.1", port1);
            // A service the old agent never had: only the catalog's long poll can tell of it.
            fresh.registerService("freshnew", "freshnew-1", List.of("http"), "127.0.0.1", port2);
            assertThat(fresh.get("/v1/catalog/services").index()).as("the new agent's index, below the old one's")
                    .isLessThan(oldIndex);

            binding.awaitConfig("freshnew from the new agent",
                    text -> text.contains(BindingFixture.server("freshnew-1", "127.0.0.1:" + port2)));
            await("ConsulSynced=True").atMost(BindingFixture.PUBLISH).untilAsserted(() -> assertThat(
                    binding.condition("ConsulSynced")).hasValueSatisfying(c -> assertThat(c.getStatus())
                            .isEqualTo("True")));
        } finally {
            old.close();
            if (fresh != null) {
                fresh.close();
            }
        }
    }

    @Test
    void consulSyncedNamesTheFailingWatchAndSinceWhenThenTurnsTrueWhenConsulAnswersAgain() {
        int port = FreePorts.next();
        var consul = ConsulAgent.start(RealParts.require(Part.CONSUL));
        ConsulAgent back = null;
        try {
            consul.registerService("awayapp", "awayapp-1", List.of("http"), "127.0.0.1", port);
            var binding = new BindingFixture(env.controlPlane(), "away-and-back");
            binding.apply(spec(consul, "awayapp", "away/haproxy"));
            binding.awaitReady();

            consul.close();
            await("ConsulSynced=False naming a watch").atMost(BindingFixture.PUBLISH).untilAsserted(() -> assertThat(
                    binding.condition("ConsulSynced")).hasValueSatisfying(c -> {
                        assertThat(c.getStatus()).isEqualTo("False");
                        assertThat(c.getReason()).isEqualTo("ConsulUnreachable");
                        assertThat(c.getMessage()).containsPattern("(catalog services|health checks|KV away/haproxy/"
                                + "|instances of awayapp).* failing since " + UTC_INSTANT);
                    }));
            assertThat(binding.currentConfig()).as("the last configuration keeps serving")
                    .contains(BindingFixture.server("awayapp-1", "127.0.0.1:" + port));

            back = ConsulAgent.startInPlaceOf(RealParts.require(Part.CONSUL), consul);
            back.registerService("awayapp", "awayapp-1", List.of("http"), "127.0.0.1", port);
            await("ConsulSynced=True again").atMost(BindingFixture.PUBLISH).untilAsserted(() -> assertThat(
                    binding.condition("ConsulSynced")).hasValueSatisfying(c -> {
                        assertThat(c.getStatus()).isEqualTo("True");
                        assertThat(c.getReason()).isEqualTo("Synced");
                    }));
        } finally {
            consul.close();
            if (back != null) {
                back.close();
            }
        }
    }

    private static String spec(ConsulAgent consul, String service, String kvPrefix) {
        return """
                  consul:
                    address: %s
                  services:
                    include: ["%s"]
                  routing:
                    domain: faults.test
                  kv:
                    prefix: %s
                  rollout:
                    debounce: {min: 100ms, max: 500ms}
                """.formatted(consul.httpAddress(), service, kvPrefix);
    }
}
