package io.haproxyconsul.operator.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.haproxyconsul.operator.reconciler.BindingFixture;
import io.haproxyconsul.operator.testenv.BackendServer;
import io.haproxyconsul.operator.testenv.OperatorEnvironment;
import io.haproxyconsul.operator.testenv.SteadyLoad;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Requests under a steady load through a fleet's Service while a new instance reaches its running pods, while its
 * pods roll to a new structure and while they terminate: not one fails, slow requests in flight on a terminating
 * pod included (preStop pause, then HAProxy's soft stop drains them).
 */
@QuarkusTest
@WithTestResource(OperatorEnvironment.class)
class FleetTrafficIT {

    private static final Logger LOG = Logger.getLogger(FleetTrafficIT.class);
    private static final Duration ROLLOUT = Duration.ofMinutes(3);

    OperatorEnvironment env;
    private final List<BackendServer> backends = new ArrayList<>();

    @AfterEach
    void stopBackends() {
        backends.forEach(BackendServer::close);
    }

    @Test
    void noRequestFailsWhileAThreeReplicaFleetTakesANewInstanceRollsAndItsPodsTerminate() {
        register("traffic-1");
        register("traffic-2");
        var edge = new BindingFixture(env.controlPlane(), "traffic");
        edge.apply("""
                  consul:
                    address: %s
                  services:
                    include: ["traffic"]
                  routing:
                    domain: traffic.test
                  kv:
                    prefix: traffic/haproxy
                  rollout:
                    debounce: {min: 100ms, max: 500ms}
                  fleet:
                    replicas: 3
                    drainSeconds: 20
                """.formatted(env.consul().httpAddress()));
        edge.awaitReady(Duration.ofSeconds(110));
        Set<String> firstPods = podNames(edge);
        var service = env.controlPlane().client().services().inNamespace(edge.namespace).withName("traffic-haproxy")
                .get();
        String url = "http://" + service.getSpec().getClusterIP() + ":" + service.getSpec().getPorts().get(0)
                .getPort() + "/traffic/load";

        SteadyLoad.Counts counts;
        try (var load = SteadyLoad.start(url, 25, Duration.ofSeconds(3), Duration.ofMinutes(5))) {
            await("traffic flows").atMost(Duration.ofSeconds(30)).until(() -> load.finishedSoFar() >= 50);

            // A new instance reaches the running pods: none is replaced.
            String before = edge.binding().getStatus().currentConfig.hash;
            register("traffic-3");
            await("every pod serves the new instance").atMost(ROLLOUT).untilAsserted(() -> {
                var status = edge.binding().getStatus();
                assertThat(status.currentConfig.hash).isNotEqualTo(before);
                assertThat(status.fleet.syncedReplicas).isEqualTo(3);
                assertThat(edge.condition("RolledOut")).hasValueSatisfying(c -> assertThat(c.getStatus())
                        .isEqualTo("True"));
            });
            assertThat(podNames(edge)).isEqualTo(firstPods);

            // A new structure (a KV setting): three new pods, three old ones terminated one by one.
            env.consul().kvPut("traffic/haproxy/maxconn", "2000");
            await("every pod replaced and the old ones gone").atMost(ROLLOUT).untilAsserted(() -> {
                assertThat(edge.condition("RolledOut")).hasValueSatisfying(c -> assertThat(c.getStatus())
                        .isEqualTo("True"));
                assertThat(podNames(edge)).hasSize(3).doesNotContainAnyElementsOf(firstPods);
            });
            // A scale-down: one more pod terminates.
            env.controlPlane().kubectl("patch", "-n", edge.namespace, "hcb/traffic", "--type=merge", "-p",
                    "{\"spec\":{\"fleet\":{\"replicas\":2}}}").assertSuccess();
            await("one pod terminated").atMost(ROLLOUT).untilAsserted(() -> assertThat(podNames(edge)).hasSize(2));
            await("at least 600 answers").atMost(Duration.ofMinutes(1)).until(() -> load.finishedSoFar() >= 600);
            counts = load.finish();
        }

        LOG.infof("steady load through %s during a new instance, a rollout of 3 pods and a scale-down: %s", url,
                counts);
        assertThat(counts.failed()).as(counts.toString()).isZero();
        assertThat(counts.succeeded()).as(counts.toString()).isGreaterThanOrEqualTo(600 - counts.slowSucceeded());
        assertThat(counts.slowSucceeded()).as(counts.toString()).isGreaterThan(20);
    }

    private void register(String id) {
        String address = env.controlPlane().address();
        var backend = BackendServer.start(id, address);
        backends.add(backend);
        env.consul().registerService("traffic", id, List.of("http"), address, backend.port());
    }

    /** Pods that exist, terminating ones included: a pod is gone once its containers have stopped. */
    private Set<String> podNames(BindingFixture edge) {
        return env.controlPlane().client().pods().inNamespace(edge.namespace).list().getItems().stream()
                .map(Pod::getMetadata).map(m -> m.getName()).collect(Collectors.toSet());
    }
}
