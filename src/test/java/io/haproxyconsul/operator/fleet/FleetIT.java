package io.haproxyconsul.operator.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBinding;
import io.haproxyconsul.operator.reconciler.BindingFixture;
import io.haproxyconsul.operator.testenv.BackendServer;
import io.haproxyconsul.operator.testenv.FleetRuntime;
import io.haproxyconsul.operator.testenv.HttpProbe;
import io.haproxyconsul.operator.testenv.OperatorEnvironment;
import io.haproxyconsul.operator.testenv.RealNode;
import io.haproxyconsul.operator.testenv.RuntimeChannelProbe;
import io.haproxyconsul.operator.testenv.SyntheticCatalog;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Bindings with a fleet on the real control plane and a real node: the Deployment and Service the operator owns,
 * HAProxy pods that serve the Consul instances through their Service and on their own IPs, rolling reloads, the
 * gzip path, and the return to the last known good configuration when the pods' HAProxy refuses one.
 */
@QuarkusTest
@WithTestResource(OperatorEnvironment.class)
class FleetIT {

    static final Duration ROLLOUT = Duration.ofSeconds(120);

    OperatorEnvironment env;
    private final List<BackendServer> backends = new ArrayList<>();

    @AfterEach
    void stopBackends() {
        backends.forEach(BackendServer::close);
    }

    @Test
    void aFleetServesConsulThroughItsServiceAndEveryPodAndTakesANewInstanceWithoutReplacingAPod() {
        var first = register("rolling", "rolling-1", List.of("http"));
        var edge = fleetBinding("rolling", "rolling.test", "  stats:\n    credentialsSecretName: stats\n",
                RealNode.DEFAULT_FLEET_IMAGE, "rolling|shop");
        register("shop", "shop-1", List.of("http", "stateful"));
        register("shop", "shop-2", List.of("http", "stateful"));
        KubernetesClient client = env.controlPlane().client();
        edge.awaitReady();

        var deployment = deployment(edge);
        String firstHash = edge.binding().getStatus().currentConfig.hash;
        var pod = deployment.getSpec().getTemplate();
        assertThat(pod.getMetadata().getAnnotations()).containsEntry("haproxyconsul.io/config-hash", firstHash);
        assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isZero();
        assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxSurge().getIntVal()).isEqualTo(1);
        assertThat(pod.getSpec().getVolumes()).anySatisfy(volume -> assertThat(volume.getConfigMap().getName())
                .isEqualTo(edge.binding().getStatus().currentConfig.configMapName));
        assertThat(pod.getSpec().getInitContainers()).singleElement().satisfies(init -> {
            assertThat(init.getCommand()).startsWith("sh", "-c").last(org.assertj.core.api.InstanceOfAssertFactories
                    .STRING).endsWith("exec haproxy -c -f /usr/local/etc/haproxy/haproxy.cfg -f "
                            + "/var/lib/haproxy/runtime-api.cfg");
            assertThat(init.getTerminationMessagePolicy()).isEqualTo("FallbackToLogsOnError");
        });
        assertThat(pod.getSpec().getReadinessGates()).extracting(gate -> gate.getConditionType())
                .containsExactly("haproxyconsul.io/servers-synced");
        assertThat(pod.getSpec().getContainers()).singleElement().satisfies(haproxy -> {
            assertThat(haproxy.getImage()).isEqualTo(RealNode.DEFAULT_FLEET_IMAGE);
            assertThat(haproxy.getCommand()).startsWith("haproxy", "-W");
            assertThat(haproxy.getReadinessProbe().getTcpSocket()).isNotNull();
            assertThat(haproxy.getLivenessProbe().getTcpSocket()).isNotNull();
            assertThat(haproxy.getLifecycle().getPreStop().getExec().getCommand()).isNotEmpty();
            assertThat(haproxy.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
            assertThat(haproxy.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
            assertThat(haproxy.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
            assertThat(haproxy.getEnv()).anySatisfy(variable -> {
                assertThat(variable.getName()).isEqualTo("STATS_PASSWORD");
                assertThat(variable.getValueFrom().getSecretKeyRef().getName()).isEqualTo("stats");
            });
        });
        assertThat(pod.getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pods(edge)).hasSize(2).allSatisfy(p -> {
            assertThat(ready(p)).isTrue();
            assertThat(p.getStatus().getContainerStatuses().get(0).getRestartCount()).isZero();
        });
        var service = client.services().inNamespace(edge.namespace).withName("rolling-haproxy").get();
        assertThat(service.getSpec().getSelector()).isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
        assertThat(replicaSets(edge)).hasSize(1);

        for (String address : addresses(edge)) {
            assertThat(get(address, "rolling.rolling.test", "/").body()).startsWith("identity=rolling-1 path=/ ");
            assertThat(get(address, "rolling.test", "/rolling/deep/page").body())
                    .startsWith("identity=rolling-1 path=/deep/page ");
            assertStickiness(address);
        }

        var podUids = pods(edge).stream().map(p -> p.getMetadata().getUid()).collect(Collectors.toSet());
        var runtime = FleetRuntime.of(client, edge.namespace, edge.name, 9443);
        var workers = pods(edge).stream().map(runtime::workerPid).toList();

        var second = register("rolling", "rolling-2", List.of("http"));

        await("every pod serves the new instance").atMost(ROLLOUT).untilAsserted(() -> {
            var status = edge.binding().getStatus();
            assertThat(status.currentConfig.hash).isNotEqualTo(firstHash);
            assertThat(status.lastKnownGoodConfig.hash).isEqualTo(status.currentConfig.hash);
            assertThat(status.fleet.updatedReplicas).isEqualTo(2);
            assertThat(status.fleet.syncedReplicas).isEqualTo(2);
            assertThat(edge.condition("RolledOut")).hasValueSatisfying(c -> assertThat(c.getStatus())
                    .isEqualTo("True"));
        });
        // Only servers changed: the same pods, the same HAProxy workers (no reload), the same pod template.
        assertThat(replicaSets(edge)).hasSize(1);
        assertThat(hash(deployment(edge))).isEqualTo(firstHash);
        assertThat(pods(edge)).extracting(p -> p.getMetadata().getUid()).containsExactlyInAnyOrderElementsOf(podUids);
        assertThat(pods(edge).stream().map(runtime::workerPid).toList()).isEqualTo(workers);
        for (var p : pods(edge)) {
            assertThat(runtime.servers(p, "be_rolling")).containsExactlyInAnyOrder(
                    first.address() + ":" + first.port(), second.address() + ":" + second.port());
        }
        for (String address : addresses(edge)) {
            await("the new instance answers through " + address).atMost(Duration.ofSeconds(30)).until(() -> get(
                    address, "rolling.rolling.test", "/").body().startsWith("identity=" + second.identity() + " "));
        }

        // The same catalog again (a spec change that leaves the output alone) changes no pod template.
        String secondHash = edge.binding().getStatus().currentConfig.hash;
        reconcileAgain(edge);
        assertThat(replicaSets(edge)).hasSize(1);
        assertThat(edge.binding().getStatus().currentConfig.hash).isEqualTo(secondHash);
    }

    /**
     * Version skew for real: the operator validates with HAProxy 2.6, the fleet runs 3.0, which refuses the
     * seed-style health check that 2.6 takes (headers hidden in the version string, a KV defaults line here).
     */
    @Test
    void podsThatRejectAConfigurationSendTheFleetBackToTheLastKnownGood() {
        var edge = fleetBinding("rollback", "rollback.test", "  kv:\n    prefix: rollback/haproxy\n",
                RealNode.HAPROXY_3_0);
        edge.awaitReady();
        var good = edge.binding().getStatus().currentConfig;

        env.consul().kvPut("rollback/haproxy/defaults", "option httpchk OPTIONS / HTTP/1.1\\r\\nHost:\\ rollback");

        await("ConfigValid=False with HAProxy's error").atMost(ROLLOUT).untilAsserted(() -> assertThat(
                edge.condition("ConfigValid")).hasValueSatisfying(c -> {
                    assertThat(c.getStatus()).isEqualTo("False");
                    assertThat(c.getReason()).isEqualTo("FleetValidationFailed");
                    assertThat(c.getMessage()).contains("hiding headers or body at the end of the version string");
                }));
        await("the fleet is back on the last known good configuration").atMost(ROLLOUT).untilAsserted(() -> {
            var status = edge.binding().getStatus();
            assertThat(status.currentConfig.hash).isEqualTo(good.hash);
            assertThat(status.rejectedConfigHash).isNotEqualTo(good.hash).isNotNull();
            assertThat(hash(deployment(edge))).isEqualTo(good.hash);
            assertThat(pods(edge)).hasSize(2).allSatisfy(p -> {
                assertThat(hash(p)).isEqualTo(good.hash);
                assertThat(ready(p)).isTrue();
            });
        });
        assertThat(edge.binding().getStatus().lastValidationError)
                .contains("hiding headers or body at the end of the version string");
        await("the RolledBack Event").atMost(BindingFixture.PUBLISH).untilAsserted(() -> assertThat(
                edge.warningEvents()).anySatisfy(e -> assertThat(e.getReason()).isEqualTo("RolledBack")));
        for (String address : addresses(edge)) {
            assertThat(get(address, "rollback.rollback.test", "/").body()).startsWith("identity=rollback-1 ");
        }
        int replicaSets = replicaSets(edge).size();

        // No retry loop: reconciling the same catalog again leaves the refused configuration alone.
        reconcileAgain(edge);
        assertThat(hash(deployment(edge))).isEqualTo(good.hash);
        assertThat(replicaSets(edge)).hasSize(replicaSets);
        assertThat(edge.condition("ConfigValid")).hasValueSatisfying(c -> assertThat(c.getReason())
                .isEqualTo("FleetValidationFailed"));
    }

    /**
     * 1,500 services of 5 instances render above the 768 KiB a ConfigMap is given plain: the pod's init step
     * unpacks the gzip copy, checks it, and HAProxy serves it.
     */
    @Test
    void aConfigurationTooLargeForAPlainConfigMapIsServedByARealPod() {
        String address = env.controlPlane().address();
        var first = BackendServer.start("svc-00000-0", address);
        backends.add(first);
        env.consul().registerInCatalog(SyntheticCatalog.of(1_500, 5, address, List.of(first.port())));
        var edge = fleetBinding("large", "large.test", "  fleet:\n    replicas: 1\n", RealNode.DEFAULT_FLEET_IMAGE,
                "svc-.*");

        edge.awaitReady();

        var status = edge.binding().getStatus();
        assertThat(status.currentConfig.encoding).isEqualTo("gzip");
        assertThat(status.currentConfig.servers).isEqualTo(7_500);
        var pod = pods(edge).get(0);
        assertThat(ready(pod)).isTrue();
        assertThat(pod.getSpec().getInitContainers().get(0).getCommand()).contains("sh", "-c");
        await("svc-00000 served by the pod").atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> get(
                pod.getStatus().getPodIP(), "svc-00000.large.test", "/").body().startsWith("identity=svc-00000-0 "));
    }

    @Test
    void removingSpecFleetRemovesThePodsAndKeepsPublishing() {
        var edge = fleetBinding("unfleet", "unfleet.test", "  fleet:\n    replicas: 1\n    podDisruptionBudget: {}\n");
        edge.awaitReady(ROLLOUT);
        KubernetesClient client = env.controlPlane().client();

        env.controlPlane().kubectl("patch", "-n", edge.namespace, "hcb/unfleet", "--type=json", "-p",
                "[{\"op\":\"remove\",\"path\":\"/spec/fleet\"}]").assertSuccess();

        await("the fleet's objects are gone").atMost(ROLLOUT).untilAsserted(() -> {
            assertThat(client.apps().deployments().inNamespace(edge.namespace).list().getItems()).isEmpty();
            assertThat(client.services().inNamespace(edge.namespace).list().getItems()).isEmpty();
            assertThat(client.policy().v1().podDisruptionBudget().inNamespace(edge.namespace).list().getItems())
                    .isEmpty();
            var status = edge.binding().getStatus();
            assertThat(status.fleet).isNull();
            assertThat(edge.condition("RolledOut")).isEmpty();
            assertThat(edge.condition("Ready")).hasValueSatisfying(c -> assertThat(c.getStatus()).isEqualTo("True"));
        });
        register("unfleet", "unfleet-2", List.of("http"));
        edge.awaitConfig("still publishing", text -> text.contains(BindingFixture.server("unfleet-2")));
    }

    @Test
    void deletingTheBindingRemovesEverythingItOwned() {
        var edge = fleetBinding("owned", "owned.test", "  fleet:\n    replicas: 1\n    podDisruptionBudget: {}\n");
        edge.awaitReady();
        KubernetesClient client = env.controlPlane().client();
        assertThat(client.policy().v1().podDisruptionBudget().inNamespace(edge.namespace).withName("owned-haproxy")
                .get()).isNotNull();

        client.resources(HaproxyConsulBinding.class).inNamespace(edge.namespace).withName("owned").delete();

        await("everything the binding owned is gone").atMost(ROLLOUT).untilAsserted(() -> {
            assertThat(client.apps().deployments().inNamespace(edge.namespace).list().getItems()).isEmpty();
            assertThat(client.services().inNamespace(edge.namespace).list().getItems()).isEmpty();
            assertThat(client.policy().v1().podDisruptionBudget().inNamespace(edge.namespace).list().getItems())
                    .isEmpty();
            assertThat(edge.publishedConfigMaps()).isEmpty();
            assertThat(client.pods().inNamespace(edge.namespace).list().getItems()).isEmpty();
        });
    }

    @Test
    void theOperatorRunsWithTheLeastPrivilegeOfDeployBase() {
        assertThat(canI("create", "deployments.apps")).isEqualTo("yes");
        assertThat(canI("watch", "pods")).isEqualTo("yes");
        assertThat(canI("get", "secrets")).isEqualTo("yes");
        assertThat(canI("create", "secrets")).isEqualTo("yes");
        assertThat(canI("patch", "pods", "--subresource=status")).isEqualTo("yes");
        assertThat(canI("list", "secrets")).isEqualTo("no");
        assertThat(canI("update", "secrets")).isEqualTo("no");
        assertThat(canI("create", "pods", "--subresource=exec")).isEqualTo("no");
        assertThat(canI("patch", "pods")).isEqualTo("no");
        assertThat(canI("delete", "pods")).isEqualTo("no");
        assertThat(canI("update", "customresourcedefinitions.apiextensions.k8s.io")).isEqualTo("no");
    }

    /** The channel that changes servers in running pods admits the operator's certificate and nothing else. */
    @Test
    void theRuntimeApiAdmitsOnlyTheOperatorsCertificate() {
        var edge = fleetBinding("channel", "channel.test", "  fleet:\n    replicas: 1\n");
        edge.awaitReady(ROLLOUT);
        var pod = pods(edge).get(0);
        String ip = pod.getStatus().getPodIP();

        var runtime = FleetRuntime.of(env.controlPlane().client(), edge.namespace, edge.name, 9443);
        assertThat(runtime.run(pod, "show info").get(0)).contains("Pid:");

        assertThat(RuntimeChannelProbe.withForeignCertificate(ip, 9443, "show info")).doesNotContain("Pid:");
        assertThat(RuntimeChannelProbe.withoutClientCertificate(ip, 9443, "show info")).doesNotContain("Pid:");
        assertThat(RuntimeChannelProbe.plainText(ip, 9443, "show info")).doesNotContain("Pid:");
    }

    /**
     * A {@code stateful} service: the first answer sets the instance's cookie (prefixed by HAProxy with its
     * server), and every request that sends it back lands on that instance.
     */
    private void assertStickiness(String address) {
        var first = get(address, "shop.rolling.test", "/", null);
        String cookie = first.header("set-cookie").orElseThrow().split(";")[0];
        String identity = first.body().split(" ")[0];
        assertThat(cookie).startsWith("JSESSIONID=").contains("~");
        for (int i = 0; i < 6; i++) {
            assertThat(get(address, "shop.rolling.test", "/", cookie).body().split(" ")[0]).isEqualTo(identity);
        }
    }

    private String canI(String verb, String resource, String... flags) {
        var args = new ArrayList<>(List.of("--token", env.operatorToken(), "auth", "can-i", verb, resource,
                "--all-namespaces"));
        args.addAll(List.of(flags));
        return env.controlPlane().kubectl(args.toArray(String[]::new)).output().strip();
    }

    private BindingFixture fleetBinding(String name, String domain, String extra) {
        return fleetBinding(name, domain, extra, RealNode.DEFAULT_FLEET_IMAGE);
    }

    private BindingFixture fleetBinding(String name, String domain, String extra, String image) {
        register(name, name + "-1", List.of("http"));
        return fleetBinding(name, domain, extra, image, name);
    }

    private BindingFixture fleetBinding(String name, String domain, String extra, String image, String include) {
        var fixture = new BindingFixture(env.controlPlane(), name);
        env.controlPlane().client().secrets().inNamespace(fixture.namespace).resource(new SecretBuilder()
                .withNewMetadata().withName("stats").endMetadata()
                .withStringData(Map.of("username", "admin", "password", "s3cret")).build()).create();
        String fleet = extra.contains("  fleet:\n") ? extra.replace("  fleet:\n", "  fleet:\n    image: " + image
                + "\n") : "  fleet:\n    replicas: 2\n    image: " + image + "\n" + extra;
        fixture.apply("""
                  consul:
                    address: %s
                  services:
                    include: ["%s"]
                  routing:
                    domain: %s
                  rollout:
                    debounce: {min: 100ms, max: 500ms}
                %s""".formatted(env.consul().httpAddress(), include, domain, fleet));
        return fixture;
    }

    /** An instance answering on the node's bridge, where the pods reach it, registered in Consul. */
    private BackendServer register(String service, String id, List<String> tags) {
        String address = env.controlPlane().address();
        var backend = BackendServer.start(id, address);
        backends.add(backend);
        env.consul().registerService(service, id, tags, address, backend.port());
        return backend;
    }

    private void reconcileAgain(BindingFixture fixture) {
        env.controlPlane().kubectl("patch", "-n", fixture.namespace, "hcb/" + fixture.name, "--type=merge", "-p",
                "{\"spec\":{\"rollout\":{\"historyLimit\":7}}}").assertSuccess();
        await("the patched binding is reconciled").atMost(ROLLOUT).until(() -> {
            var binding = fixture.binding();
            return binding.getMetadata().getGeneration().equals(binding.getStatus().observedGeneration);
        });
    }

    /** The Service's ClusterIP (kube-proxy) and every Ready pod's own IP, each serving on the routing port 8080. */
    private Set<String> addresses(BindingFixture fixture) {
        var addresses = new HashSet<String>();
        var service = env.controlPlane().client().services().inNamespace(fixture.namespace)
                .withName(fixture.name + "-haproxy").get();
        addresses.add(service.getSpec().getClusterIP() + ":" + service.getSpec().getPorts().get(0).getPort());
        pods(fixture).stream().filter(FleetIT::ready).forEach(pod -> addresses.add(pod.getStatus().getPodIP()
                + ":8080"));
        return addresses;
    }

    private static HttpProbe.HttpReply get(String address, String host, String path) {
        return get(address, host, path, null);
    }

    private static HttpProbe.HttpReply get(String address, String host, String path, String cookie) {
        int colon = address.indexOf(':');
        return colon < 0 ? HttpProbe.get(address, 8080, host, path, cookie)
                : HttpProbe.get(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)), host,
                        path, cookie);
    }

    private Deployment deployment(BindingFixture fixture) {
        return env.controlPlane().client().apps().deployments().inNamespace(fixture.namespace)
                .withName(fixture.name + "-haproxy").get();
    }

    private List<ReplicaSet> replicaSets(BindingFixture fixture) {
        return env.controlPlane().client().apps().replicaSets().inNamespace(fixture.namespace).list().getItems();
    }

    private List<Pod> pods(BindingFixture fixture) {
        return env.controlPlane().client().pods().inNamespace(fixture.namespace).list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
    }

    private static String hash(Pod pod) {
        return pod.getMetadata().getAnnotations().get("haproxyconsul.io/config-hash");
    }

    private static String hash(Deployment deployment) {
        return deployment.getSpec().getTemplate().getMetadata().getAnnotations().get("haproxyconsul.io/config-hash");
    }

    private static boolean ready(Pod pod) {
        return pod.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }
}
