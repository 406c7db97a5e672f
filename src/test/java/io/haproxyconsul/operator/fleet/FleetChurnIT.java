package io.haproxyconsul.operator.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.haproxyconsul.operator.reconciler.BindingFixture;
import io.haproxyconsul.operator.testenv.BackendServer;
import io.haproxyconsul.operator.testenv.FleetRuntime;
import io.haproxyconsul.operator.testenv.HttpProbe;
import io.haproxyconsul.operator.testenv.OperatorEnvironment;
import io.haproxyconsul.operator.testenv.RealNode;
import io.haproxyconsul.operator.testenv.SteadyLoad;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Consul churn on a real three-pod fleet under a steady load through its Service: server changes reach every
 * running HAProxy through its Runtime API (no pod replaced, no reload), structural changes roll one pod at a time,
 * a configuration the pods refuse is served by none of them, and pods added meanwhile take traffic only once they
 * serve the current servers. Not one request fails.
 */
@QuarkusTest
@WithTestResource(OperatorEnvironment.class)
class FleetChurnIT {

    private static final Logger LOG = Logger.getLogger(FleetChurnIT.class);
    private static final Duration CHANGE = Duration.ofSeconds(30);
    private static final Duration ROLLOUT = Duration.ofMinutes(3);

    OperatorEnvironment env;
    private final List<BackendServer> backends = new ArrayList<>();
    /** Instances of the churned service now registered: service ID → its server. */
    private final Map<String, BackendServer> live = new LinkedHashMap<>();

    @AfterEach
    void stopBackends() {
        backends.forEach(BackendServer::close);
    }

    @Test
    void fiftyServerChangesReachEveryRunningPodWithoutAReloadOrAFailedRequest() {
        for (int i = 1; i <= 3; i++) {
            join("churn", "churn-" + i);
        }
        var cart1 = register("cart", "cart-1", List.of("http", "stateful"));
        register("cart", "cart-2", List.of("http", "stateful"));
        var edge = fleet("churn", "churn|cart", RealNode.DEFAULT_FLEET_IMAGE);
        var runtime = runtime(edge);
        var before = pods(edge);
        var workers = before.stream().collect(Collectors.toMap(p -> p.getMetadata().getUid(), runtime::workerPid));
        int replicaSets = replicaSets(edge);
        String podConfig = edge.binding().getStatus().fleet.podConfig.hash;

        var sticky = StickyClient.pin(clusterIp(edge), "cart.churn.test");
        assertThat(sticky.identity()).isIn(cart1.identity(), "cart-2");

        SteadyLoad.Counts counts;
        try (var load = SteadyLoad.start(serviceUrl(edge, "/churn/load"), 20, Duration.ofSeconds(2),
                Duration.ofMinutes(10))) {
            var flapping = new ArrayList<String>();
            for (int change = 1; change <= 50; change++) {
                String what = serverChange(change, flapping);
                var expected = endpoints();
                await(what + " reaches every pod").atMost(CHANGE).untilAsserted(() -> {
                    for (var pod : before) {
                        assertThat(runtime.servers(pod, "be_churn")).as(pod.getMetadata().getName())
                                .isEqualTo(expected);
                    }
                });
                if (change == 20) {
                    register("cart", "cart-3", List.of("http", "stateful"));
                } else if (change == 30) {
                    env.consul().deregister("cart-3");
                }
            }
            await("status says every pod serves the current servers").atMost(CHANGE).untilAsserted(() -> {
                var status = edge.binding().getStatus();
                assertThat(status.fleet.syncedReplicas).isEqualTo(3);
                assertThat(edge.condition("Ready")).hasValueSatisfying(c -> assertThat(c.getStatus())
                        .isEqualTo("True"));
            });
            counts = load.finish();
        }

        LOG.infof("steady load during 50 server changes on 3 pods: %s", counts);
        assertThat(counts.failed()).as(counts.toString()).isZero();
        assertThat(counts.succeeded()).isGreaterThan(100);
        var after = pods(edge);
        assertThat(after).extracting(p -> p.getMetadata().getUid())
                .containsExactlyInAnyOrderElementsOf(workers.keySet());
        assertThat(after).allSatisfy(pod -> {
            assertThat(pod.getStatus().getContainerStatuses()).allSatisfy(c -> assertThat(c.getRestartCount())
                    .isZero());
            assertThat(runtime.workerPid(pod)).as("no reload").isEqualTo(workers.get(pod.getMetadata().getUid()));
        });
        assertThat(replicaSets(edge)).isEqualTo(replicaSets);
        assertThat(edge.binding().getStatus().fleet.podConfig.hash).isEqualTo(podConfig);
        assertThat(sticky.stillOnItsInstance()).as("a cookie-pinned client, while cart-3 came and went").isTrue();
        assertThat(edge.warningEvents()).as("no error a user would see").isEmpty();
    }

    @Test
    void structuralChangesRollOnePodAtATimeAndOneThePodsRefuseIsServedByNone() {
        join("shape", "shape-1");
        join("shape", "shape-2");
        var edge = fleet("shape", "shape", RealNode.HAPROXY_3_0);
        var notReady = new AtomicInteger();
        var watcher = Executors.newSingleThreadScheduledExecutor();
        watcher.scheduleAtFixedRate(() -> notReady.accumulateAndGet((int) pods(edge).stream()
                .filter(p -> !ready(p)).count(), Math::max), 0, 200, TimeUnit.MILLISECONDS);

        SteadyLoad.Counts counts;
        try (var load = SteadyLoad.start(serviceUrl(edge, "/shape/load"), 20, Duration.ofSeconds(2),
                Duration.ofMinutes(20))) {
            for (int change = 1; change <= 10; change++) {
                env.consul().kvPut("shape/haproxy/maxconn", String.valueOf(3000 + change));
                int maxconn = 3000 + change;
                await("maxconn " + maxconn + " loaded by every pod").atMost(ROLLOUT).untilAsserted(() -> {
                    var status = edge.binding().getStatus();
                    assertThat(status.fleet.podConfig.hash).isEqualTo(status.currentConfig.hash);
                    assertThat(edge.currentConfig()).contains("maxconn " + maxconn);
                    assertThat(pods(edge)).hasSize(3).allSatisfy(p -> {
                        assertThat(hash(p)).isEqualTo(status.currentConfig.hash);
                        assertThat(ready(p)).isTrue();
                    });
                });
            }
            var good = edge.binding().getStatus().currentConfig;

            // HAProxy 3.0 refuses what the operator's 2.6 takes: headers hidden in the health check's version.
            env.consul().kvPut("shape/haproxy/defaults", "option httpchk OPTIONS / HTTP/1.1\\r\\nHost:\\ shape");
            await("the pods' refusal, in their words").atMost(ROLLOUT).untilAsserted(() -> assertThat(
                    edge.condition("ConfigValid")).hasValueSatisfying(c -> {
                        assertThat(c.getReason()).isEqualTo("FleetValidationFailed");
                        assertThat(c.getMessage()).containsPattern("pod shape-haproxy-[a-z0-9-]+: ")
                                .contains("hiding headers or body at the end of the version string");
                    }));
            await("every pod back on the last known good configuration").atMost(ROLLOUT).untilAsserted(() -> {
                assertThat(edge.binding().getStatus().fleet.podConfig.hash).isEqualTo(good.hash);
                assertThat(pods(edge)).hasSize(3).allSatisfy(p -> {
                    assertThat(hash(p)).isEqualTo(good.hash);
                    assertThat(ready(p)).isTrue();
                });
            });
            counts = load.finish();
        } finally {
            watcher.shutdownNow();
        }

        LOG.infof("steady load during 10 structural changes and a refused one on 3 pods: %s", counts);
        assertThat(counts.failed()).as(counts.toString()).isZero();
        assertThat(notReady.get()).as("pods not Ready at once: one surge pod at a time").isLessThanOrEqualTo(1);
    }

    @Test
    void podsAddedDuringChurnTakeTrafficOnlyOnceTheyServeTheCurrentServers() {
        join("grow", "grow-1");
        join("grow", "grow-2");
        var edge = fleet("grow", "grow", RealNode.DEFAULT_FLEET_IMAGE);
        var runtime = runtime(edge);
        // Two more instances fill the two spare slots of the pods' configuration, which still names two servers: a
        // new pod starts with those and must be brought up to date before it takes traffic.
        join("grow", "grow-3");
        join("grow", "grow-4");
        await("the new instances are current").atMost(CHANGE).untilAsserted(() -> assertThat(
                edge.binding().getStatus().currentConfig.servers).isEqualTo(4));
        assertThat(edge.binding().getStatus().fleet.podConfig.servers).isEqualTo(2);
        var first = pods(edge).stream().map(p -> p.getMetadata().getName()).collect(Collectors.toSet());

        SteadyLoad.Counts counts;
        try (var load = SteadyLoad.start(serviceUrl(edge, "/grow/load"), 20, Duration.ofSeconds(2),
                Duration.ofMinutes(5))) {
            env.controlPlane().kubectl("patch", "-n", edge.namespace, "hcb/grow", "--type=merge", "-p",
                    "{\"spec\":{\"fleet\":{\"replicas\":5}}}").assertSuccess();
            leave("grow-3");
            join("grow", "grow-7");
            var expected = endpoints();
            await("five pods, each Ready with the current servers").atMost(ROLLOUT).untilAsserted(() -> {
                assertThat(pods(edge)).hasSize(5).allSatisfy(pod -> {
                    assertThat(ready(pod)).isTrue();
                    assertThat(runtime.servers(pod, "be_grow")).isEqualTo(expected);
                });
            });
            counts = load.finish();
        }

        assertThat(counts.failed()).as(counts.toString()).isZero();
        var added = pods(edge).stream().filter(p -> !first.contains(p.getMetadata().getName())).toList();
        assertThat(added).hasSize(2).allSatisfy(pod -> {
            var gate = condition(pod, "haproxyconsul.io/servers-synced");
            var ready = condition(pod, "Ready");
            assertThat(gate.getStatus()).isEqualTo("True");
            assertThat(Instant.parse(ready.getLastTransitionTime()))
                    .as("Ready no earlier than the operator found its servers current")
                    .isAfterOrEqualTo(Instant.parse(gate.getLastTransitionTime()));
        });
        assertThat(replicaSets(edge)).isEqualTo(1);
    }

    /** One of five kinds of server change, in turn; returns what it did. */
    private String serverChange(int change, List<String> flapping) {
        int n = 3 + change;
        switch (change % 5) {
            case 0 -> {
                String id = join("churn", "churn-" + n);
                return "registering " + id;
            }
            case 1 -> {
                String id = live.keySet().stream().skip(1).findFirst().orElseThrow();
                leave(id);
                return "deregistering " + id;
            }
            case 2 -> {
                String id = live.keySet().iterator().next();
                env.consul().failCheck(id);
                flapping.add(id);
                return "failing the check of " + id;
            }
            case 3 -> {
                String id = flapping.remove(0);
                env.consul().passCheck(id);
                return "passing the check of " + id;
            }
            default -> {
                String id = live.keySet().stream().reduce((a, b) -> b).orElseThrow();
                var moved = BackendServer.start(id, env.controlPlane().address());
                backends.add(moved);
                live.put(id, moved);
                env.consul().registerService("churn", id, List.of("http"), moved.address(), moved.port());
                return "moving " + id + " to port " + moved.port();
            }
        }
    }

    /** The servers the churned service should have: its registered instances whose check passes. */
    private Set<String> endpoints() {
        var failing = new TreeSet<String>();
        live.keySet().forEach(id -> {
            var check = env.consul().get("/v1/health/checks/" + serviceOf(id)).json();
            check.forEach(c -> {
                if (id.equals(c.path("ServiceID").asText()) && !"passing".equals(c.path("Status").asText())) {
                    failing.add(id);
                }
            });
        });
        return live.entrySet().stream().filter(e -> !failing.contains(e.getKey()))
                .map(e -> e.getValue().address() + ":" + e.getValue().port())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static String serviceOf(String id) {
        return id.substring(0, id.lastIndexOf('-'));
    }

    private String join(String service, String id) {
        live.put(id, register(service, id, List.of("http")));
        return id;
    }

    private void leave(String id) {
        env.consul().deregister(id);
        live.remove(id);
    }

    private BackendServer register(String service, String id, List<String> tags) {
        var backend = BackendServer.start(id, env.controlPlane().address());
        backends.add(backend);
        env.consul().registerService(service, id, tags, backend.address(), backend.port());
        return backend;
    }

    private BindingFixture fleet(String name, String include, String image) {
        var fixture = new BindingFixture(env.controlPlane(), name);
        fixture.apply("""
                  consul:
                    address: %s
                  services:
                    include: ["%s"]
                  routing:
                    domain: %s.test
                  kv:
                    prefix: %s/haproxy
                  rollout:
                    debounce: {min: 100ms, max: 500ms}
                  fleet:
                    replicas: 3
                    image: %s
                    drainSeconds: 10
                """.formatted(env.consul().httpAddress(), include, name, name, image));
        fixture.awaitReady(Duration.ofSeconds(110));
        return fixture;
    }

    private FleetRuntime runtime(BindingFixture fixture) {
        return FleetRuntime.of(env.controlPlane().client(), fixture.namespace, fixture.name, 9443);
    }

    private String clusterIp(BindingFixture fixture) {
        return env.controlPlane().client().services().inNamespace(fixture.namespace)
                .withName(fixture.name + "-haproxy").get().getSpec().getClusterIP();
    }

    private String serviceUrl(BindingFixture fixture, String path) {
        return "http://" + clusterIp(fixture) + ":80" + path;
    }

    private List<Pod> pods(BindingFixture fixture) {
        return env.controlPlane().client().pods().inNamespace(fixture.namespace).list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
    }

    private int replicaSets(BindingFixture fixture) {
        return env.controlPlane().client().apps().replicaSets().inNamespace(fixture.namespace).list().getItems()
                .size();
    }

    private static String hash(Pod pod) {
        return pod.getMetadata().getAnnotations().get("haproxyconsul.io/config-hash");
    }

    private static boolean ready(Pod pod) {
        return pod.getStatus().getConditions() != null && pod.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static PodCondition condition(Pod pod, String type) {
        return pod.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst()
                .orElseThrow(() -> new AssertionError(pod.getMetadata().getName() + " has no condition " + type));
    }

    /** A client pinned to one instance by the cookie HAProxy prefixed; it asks again later. */
    private record StickyClient(String address, String host, String cookie, String identity) {
        static StickyClient pin(String address, String host) {
            var first = HttpProbe.get(address, 80, host, "/", null);
            String cookie = first.header("set-cookie").orElseThrow().split(";")[0];
            return new StickyClient(address, host, cookie, first.body().split(" ")[0].substring("identity=".length()));
        }

        boolean stillOnItsInstance() {
            for (int i = 0; i < 10; i++) {
                var reply = HttpProbe.get(address, 80, host, "/", cookie);
                if (!reply.body().startsWith("identity=" + identity + " ")) {
                    return false;
                }
            }
            return true;
        }
    }
}
