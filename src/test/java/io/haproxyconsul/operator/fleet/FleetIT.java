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
import io.haproxyconsul.operator.testenv.FreePorts;
import io.haproxyconsul.operator.testenv.OperatorEnvironment;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Bindings with a fleet on the real control plane: the Deployment and Service the operator owns, pods run by the
 * simulated kubelet, rolling reloads, and the return to the last known good configuration.
 */
@QuarkusTest
@WithTestResource(OperatorEnvironment.class)
class FleetIT {

    private static final Duration ROLLOUT = Duration.ofSeconds(60);

    OperatorEnvironment env;

    @AfterEach
    void podsStartAgain() {
        env.controlPlane().kubelet().startAllPods();
    }

    @Test
    void aFleetRunsValidatedPodsAndRollsOnceForEachConsulChange() {
        var edge = fleetBinding("rolling", "rolling.test", "  stats:\n    credentialsSecretName: stats\n");
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
            assertThat(init.getCommand()).containsExactly("haproxy", "-c", "-f", "/usr/local/etc/haproxy/haproxy.cfg");
            assertThat(init.getTerminationMessagePolicy()).isEqualTo("FallbackToLogsOnError");
        });
        assertThat(pod.getSpec().getContainers()).singleElement().satisfies(haproxy -> {
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
        assertThat(pods(edge)).hasSize(2).allSatisfy(p -> assertThat(ready(p)).isTrue());
        var service = client.services().inNamespace(edge.namespace).withName("rolling-haproxy").get();
        assertThat(service.getSpec().getSelector()).isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
        assertThat(replicaSets(edge)).hasSize(1);

        env.consul().registerService("rolling", "rolling-2", List.of("http"), "127.0.0.1", FreePorts.next());

        await("the fleet rolls to the new configuration").atMost(ROLLOUT).untilAsserted(() -> {
            var status = edge.binding().getStatus();
            assertThat(status.currentConfig.hash).isNotEqualTo(firstHash);
            assertThat(status.lastKnownGoodConfig.hash).isEqualTo(status.currentConfig.hash);
            assertThat(status.fleet.updatedReplicas).isEqualTo(2);
            assertThat(edge.condition("RolledOut")).hasValueSatisfying(c -> assertThat(c.getStatus())
                    .isEqualTo("True"));
        });
        String secondHash = edge.binding().getStatus().currentConfig.hash;
        assertThat(replicaSets(edge)).hasSize(2);
        assertThat(pods(edge)).hasSize(2).allSatisfy(p -> assertThat(hash(p)).isEqualTo(secondHash));

        // The same catalog again (a spec change that leaves the output alone) changes no pod template.
        reconcileAgain(edge);
        assertThat(replicaSets(edge)).hasSize(2);
        assertThat(hash(deployment(edge))).isEqualTo(secondHash);
    }

    @Test
    void podsThatRejectAConfigurationSendTheFleetBackToTheLastKnownGood() {
        var edge = fleetBinding("rollback", "rollback.test", "");
        edge.awaitReady();
        var good = edge.binding().getStatus().currentConfig;
        // The pods' HAProxy disagrees with the operator's about anything but the good configuration.
        String haproxyError = "[ALERT]    (1) : config : parsing [/usr/local/etc/haproxy/haproxy.cfg:31] : "
                + "'server rollback-2' : unknown keyword 'bogus'.\n[ALERT]    (1) : config : Fatal errors found";
        env.controlPlane().kubelet().failInitContainers(p -> good.hash.equals(hash(p)) ? Optional.empty()
                : Optional.of(haproxyError));

        env.consul().registerService("rollback", "rollback-2", List.of("http"), "127.0.0.1", FreePorts.next());

        await("ConfigValid=False with HAProxy's error").atMost(ROLLOUT).untilAsserted(() -> assertThat(
                edge.condition("ConfigValid")).hasValueSatisfying(c -> {
                    assertThat(c.getStatus()).isEqualTo("False");
                    assertThat(c.getReason()).isEqualTo("FleetValidationFailed");
                    assertThat(c.getMessage()).contains("unknown keyword 'bogus'");
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
        assertThat(edge.binding().getStatus().lastValidationError).contains("unknown keyword 'bogus'");
        await("the RolledBack Event").atMost(BindingFixture.PUBLISH).untilAsserted(() -> assertThat(
                edge.warningEvents()).anySatisfy(e -> assertThat(e.getReason()).isEqualTo("RolledBack")));
        int replicaSets = replicaSets(edge).size();

        // No retry loop: reconciling the same catalog again leaves the refused configuration alone.
        reconcileAgain(edge);
        assertThat(hash(deployment(edge))).isEqualTo(good.hash);
        assertThat(replicaSets(edge)).hasSize(replicaSets);
        assertThat(edge.condition("ConfigValid")).hasValueSatisfying(c -> assertThat(c.getReason())
                .isEqualTo("FleetValidationFailed"));
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
        assertThat(canI("list", "secrets")).isEqualTo("no");
        assertThat(canI("create", "pods/exec")).isEqualTo("no");
        assertThat(canI("delete", "pods")).isEqualTo("no");
        assertThat(canI("update", "customresourcedefinitions.apiextensions.k8s.io")).isEqualTo("no");
    }

    private String canI(String verb, String resource) {
        return env.controlPlane().kubectl("--token", env.operatorToken(), "auth", "can-i", verb, resource,
                "--all-namespaces").output().strip();
    }

    private BindingFixture fleetBinding(String name, String domain, String extra) {
        var fixture = new BindingFixture(env.controlPlane(), name);
        env.controlPlane().client().secrets().inNamespace(fixture.namespace).resource(new SecretBuilder()
                .withNewMetadata().withName("stats").endMetadata()
                .withStringData(Map.of("username", "admin", "password", "s3cret")).build()).create();
        env.consul().registerService(name, name + "-1", List.of("http"), "127.0.0.1", FreePorts.next());
        String fleet = extra.contains("  fleet:") ? "" : "  fleet:\n    replicas: 2\n";
        fixture.apply("""
                  consul:
                    address: %s
                  services:
                    include: ["%s"]
                  routing:
                    domain: %s
                  rollout:
                    debounce: {min: 100ms, max: 500ms}
                %s%s""".formatted(env.consul().httpAddress(), name, domain, fleet, extra));
        return fixture;
    }

    private void reconcileAgain(BindingFixture fixture) {
        env.controlPlane().kubectl("patch", "-n", fixture.namespace, "hcb/" + fixture.name, "--type=merge", "-p",
                "{\"spec\":{\"rollout\":{\"historyLimit\":7}}}").assertSuccess();
        await("the patched binding is reconciled").atMost(ROLLOUT).until(() -> {
            var binding = fixture.binding();
            return binding.getMetadata().getGeneration().equals(binding.getStatus().observedGeneration);
        });
    }

    private Deployment deployment(BindingFixture fixture) {
        return env.controlPlane().client().apps().deployments().inNamespace(fixture.namespace)
                .withName(fixture.name + "-haproxy").get();
    }

    private List<ReplicaSet> replicaSets(BindingFixture fixture) {
        return env.controlPlane().client().apps().replicaSets().inNamespace(fixture.namespace).list().getItems();
    }

    private List<Pod> pods(BindingFixture fixture) {
        return env.controlPlane().client().pods().inNamespace(fixture.namespace).list().getItems();
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
