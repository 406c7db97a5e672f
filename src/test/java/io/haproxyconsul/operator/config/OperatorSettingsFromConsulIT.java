package io.haproxyconsul.operator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.haproxyconsul.operator.testenv.ConsulAgent;
import io.haproxyconsul.operator.testenv.ControlPlane;
import io.haproxyconsul.operator.testenv.ControlPlaneExtension;
import io.haproxyconsul.operator.testenv.ManagedProcess;
import io.haproxyconsul.operator.testenv.OperatorProcess;
import io.haproxyconsul.operator.testenv.RealParts;
import io.haproxyconsul.operator.testenv.RealParts.Part;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The packaged operator reading its own settings from a real Consul's KV (quarkus-config-consul), as the README's
 * "Operator configuration" turns it on: a setting under the key takes effect, and a key it cannot use stops the
 * operator before it does anything, with output that says why. The operator watches a namespace of its own on the
 * shared control plane and is given no bindings: what it shows here is the Lease it takes.
 */
@ExtendWith(ControlPlaneExtension.class)
class OperatorSettingsFromConsulIT {

    private static final String KEY = "config/haproxy-consul-operator";
    /** Watched by the operator under test only, so that it never reconciles another test's bindings. */
    private static final String WATCHED_NAMESPACE = "settings-from-consul";
    /** A failed start takes seconds; this only bounds a start that does not fail at all. */
    private static final Duration REFUSAL_DEADLINE = Duration.ofMinutes(2);

    private static ControlPlane plane;
    private static String operatorToken;
    private static ConsulAgent consul;

    @BeforeAll
    static void start(ControlPlane controlPlane) {
        plane = controlPlane;
        plane.applyCrds();
        operatorToken = plane.operatorToken();
        plane.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(WATCHED_NAMESPACE)
                .endMetadata().build()).serverSideApply();
        consul = ConsulAgent.start(RealParts.require(Part.CONSUL));
    }

    @AfterAll
    static void stopConsul() {
        if (consul != null) {
            consul.close();
        }
    }

    @Test
    void aSettingUnderTheKeyReplacesTheBuiltInOneAndTheEnvironmentStillWins() {
        String lease = "lease-named-in-consul";
        consul.kvPut(KEY, """
                # the operator's settings, as a platform team keeps them in Consul
                hco.leader-election.lease-name=%s
                hco.leader-election.identity=identity-from-consul
                """.formatted(lease));

        // deploy/ sets the identity from the pod's name the same way.
        try (var operator = startOperator(Map.of("HCO_LEADER_ELECTION_IDENTITY", "identity-from-environment"))) {
            await("the operator holds the Lease named in Consul").atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                        operator.assertAlive();
                        var held = plane.client().leases().inNamespace(ControlPlane.OPERATOR_NAMESPACE)
                                .withName(lease).get();
                        assertThat(held).as("Lease %s/%s", ControlPlane.OPERATOR_NAMESPACE, lease).isNotNull();
                        assertThat(held.getSpec().getHolderIdentity()).isEqualTo("identity-from-environment");
                    });
        }
    }

    @Test
    void aValueOfTheWrongTypeStopsTheOperatorNamingTheSettingAndTheValue() {
        consul.kvPut(KEY, "hco.consul.max-connections=many\n");

        assertThat(outputOfRefusedStart())
                .contains("The config property hco.consul.max-connections with the config value \"many\"");
    }

    @Test
    void aSettingTheOperatorDoesNotKnowStopsItNamingTheSettingAndTheKey() {
        consul.kvPut(KEY, "hco.consul.max-conections=32\n");

        assertThat(outputOfRefusedStart()).contains(
                "hco.consul.max-conections in ConsulPropertiesConfigSource[key=" + KEY + "] does not map to any root");
    }

    @Test
    void aValueThatIsNoPropertiesFileStopsTheOperator() {
        consul.kvPut(KEY, "hco.leader-election.lease-name=\\uZZZZ\n");

        assertThat(outputOfRefusedStart()).contains("Malformed \\uxxxx encoding");
    }

    @Test
    void aMissingKeyStopsTheOperatorNamingTheKey() {
        consul.kvDelete(KEY);

        assertThat(outputOfRefusedStart()).contains("Key '" + KEY + "' not found in Consul.");
    }

    /** The packaged operator with settings from {@link #KEY} on the test's Consul, as the README turns it on. */
    private static ManagedProcess startOperator(Map<String, String> settings) {
        URI agent = URI.create(consul.httpAddress());
        var env = new HashMap<>(settings);
        env.put("QUARKUS_CONSUL_CONFIG_ENABLED", "true");
        env.put("QUARKUS_CONSUL_CONFIG_AGENT_HOST_PORT", agent.getHost() + ":" + agent.getPort());
        env.put("QUARKUS_CONSUL_CONFIG_PROPERTIES_VALUE_KEYS", KEY);
        env.put("QUARKUS_OPERATOR_SDK_NAMESPACES", WATCHED_NAMESPACE);
        return OperatorProcess.start("operator-settings-from-consul", plane, operatorToken, env);
    }

    /** Starts the operator, expects it to exit with an error by itself, and returns what it printed. */
    private static String outputOfRefusedStart() {
        try (var operator = startOperator(Map.of())) {
            var exit = operator.awaitExit(REFUSAL_DEADLINE);
            String output = operator.tail(500);
            assertThat(exit).as("the operator is still running %s after its start; its output:%n%s",
                    REFUSAL_DEADLINE, output).isPresent();
            assertThat(exit.getAsInt()).as("its exit code; its output:%n%s", output).isNotZero();
            return output;
        }
    }
}
