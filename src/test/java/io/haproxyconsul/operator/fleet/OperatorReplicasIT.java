package io.haproxyconsul.operator.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.haproxyconsul.operator.reconciler.BindingFixture;
import io.haproxyconsul.operator.testenv.ConsulAgent;
import io.haproxyconsul.operator.testenv.ControlPlane;
import io.haproxyconsul.operator.testenv.ControlPlaneExtension;
import io.haproxyconsul.operator.testenv.FreePorts;
import io.haproxyconsul.operator.testenv.ManagedProcess;
import io.haproxyconsul.operator.testenv.OperatorProcess;
import io.haproxyconsul.operator.testenv.RealParts;
import io.haproxyconsul.operator.testenv.RealParts.Part;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two replicas of the packaged operator, as deploy/ runs them: one leads, and when it dies in the middle of a
 * rollout the other takes over and finishes it, without a rollout of its own.
 */
@ExtendWith(ControlPlaneExtension.class)
class OperatorReplicasIT {

    private static final Duration TAKEOVER = Duration.ofSeconds(90);
    private static final String LEASE = "haproxy-consul-operator";

    private static ControlPlane plane;
    private static ConsulAgent consul;
    private static String token;
    private final Map<String, ManagedProcess> replicas = new HashMap<>();

    @BeforeAll
    static void parts(ControlPlane controlPlane) {
        plane = controlPlane;
        plane.applyCrds();
        token = plane.operatorToken();
        consul = ConsulAgent.start(RealParts.require(Part.CONSUL));
    }

    @AfterAll
    static void stopConsul() {
        if (consul != null) {
            consul.close();
        }
    }

    @AfterEach
    void stopReplicas() {
        replicas.values().forEach(ManagedProcess::close);
        plane.kubelet().startAllPods();
    }

    @Test
    void theSecondReplicaTakesOverMidRolloutAndFinishesItWithoutAnExtraRollout() {
        start("replica-a");
        start("replica-b");
        String leader = awaitLeader(List.of("replica-a", "replica-b"));

        var edge = new BindingFixture(plane, "replicas");
        consul.registerService("replicas", "replicas-1", List.of("http"), "127.0.0.1", FreePorts.next());
        edge.apply("""
                  consul:
                    address: %s
                  services:
                    include: ["replicas"]
                  routing:
                    domain: replicas.test
                  fleet:
                    replicas: 2
                  rollout:
                    debounce: {min: 100ms, max: 500ms}
                """.formatted(consul.httpAddress()));
        edge.awaitReady();
        String first = edge.binding().getStatus().currentConfig.hash;

        // A rollout in flight: pods of the next configuration stay Pending while the leader dies.
        plane.kubelet().holdPods(pod -> !first.equals(hash(pod)));
        consul.registerService("replicas", "replicas-2", List.of("http"), "127.0.0.1", FreePorts.next());
        await("the rollout of the next configuration has started").atMost(TAKEOVER).untilAsserted(() -> {
            var status = edge.binding().getStatus();
            assertThat(status.currentConfig.hash).isNotEqualTo(first);
            assertThat(templateHash(edge)).isEqualTo(status.currentConfig.hash);
        });
        String second = edge.binding().getStatus().currentConfig.hash;
        replicas.remove(leader).stop(Duration.ZERO);

        String successor = awaitLeader(List.of(leader.equals("replica-a") ? "replica-b" : "replica-a"));
        plane.kubelet().releaseHeldPods();
        await("the new leader finishes the rollout").atMost(TAKEOVER).untilAsserted(() -> {
            var status = edge.binding().getStatus();
            assertThat(status.lastKnownGoodConfig.hash).isEqualTo(second);
            assertThat(edge.condition("RolledOut")).hasValueSatisfying(c -> assertThat(c.getStatus())
                    .isEqualTo("True"));
        });
        assertThat(replicaSets(edge)).isEqualTo(2);

        // Restarted, the old leader waits; when the successor stops too, it leads and changes nothing.
        start(leader);
        replicas.remove(successor).stop(Duration.ofSeconds(10));
        awaitLeader(List.of(leader));
        plane.kubectl("patch", "-n", edge.namespace, "hcb/replicas", "--type=merge", "-p",
                "{\"spec\":{\"rollout\":{\"historyLimit\":6}}}").assertSuccess();
        await("the restarted replica reconciles").atMost(TAKEOVER).until(() -> {
            var binding = edge.binding();
            return binding.getMetadata().getGeneration().equals(binding.getStatus().observedGeneration);
        });
        assertThat(edge.binding().getStatus().currentConfig.hash).isEqualTo(second);
        assertThat(templateHash(edge)).isEqualTo(second);
        assertThat(replicaSets(edge)).isEqualTo(2);
    }

    private void start(String identity) {
        replicas.put(identity, OperatorProcess.start(identity, plane, token, Map.of(
                "HCO_LEADER_ELECTION_IDENTITY", identity,
                "HCO_LEADER_ELECTION_LEASE_DURATION", "4s",
                "HCO_LEADER_ELECTION_RENEW_DEADLINE", "3s",
                "HCO_LEADER_ELECTION_RETRY_PERIOD", "500ms")));
    }

    private String awaitLeader(List<String> candidates) {
        try {
            return await("one of " + candidates + " holds the Lease").atMost(TAKEOVER).until(() -> {
                replicas.values().forEach(ManagedProcess::assertAlive);
                var lease = plane.client().leases().inNamespace(ControlPlane.OPERATOR_NAMESPACE).withName(LEASE)
                        .get();
                return lease == null ? null : lease.getSpec().getHolderIdentity();
            }, candidates::contains);
        } catch (ConditionTimeoutException e) {
            var logs = new StringBuilder(e.getMessage());
            replicas.forEach((name, process) -> logs.append("\n--- ").append(name).append(":\n")
                    .append(process.tail(400).lines().filter(line -> !line.startsWith("\tat ")
                            && !line.startsWith("\t...")).reduce("", (a, b) -> a + b + "\n")));
            throw new AssertionError(logs.toString(), e);
        }
    }

    private String templateHash(BindingFixture edge) {
        return plane.client().apps().deployments().inNamespace(edge.namespace).withName("replicas-haproxy").get()
                .getSpec().getTemplate().getMetadata().getAnnotations().get(FleetLabels.CONFIG_HASH_ANNOTATION);
    }

    private int replicaSets(BindingFixture edge) {
        return plane.client().apps().replicaSets().inNamespace(edge.namespace).list().getItems().size();
    }

    private static String hash(Pod pod) {
        return pod.getMetadata().getAnnotations().get(FleetLabels.CONFIG_HASH_ANNOTATION);
    }
}
