package io.haproxyconsul.operator.testenv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real node runs the HAProxy images as a user's cluster would: pods become Ready, answer on their pod IP and
 * through their Service's ClusterIP, and a configuration HAProxy refuses fails the init step with HAProxy's words.
 *
 * <p>On the node of {@link OperatorEnvironment}: a machine has room for one node, and the Quarkus tests' resources
 * live in a class loader of their own, so a plain JUnit extension would start a second one in this JVM.
 */
@QuarkusTest
@WithTestResource(OperatorEnvironment.class)
class RealNodeIT {

    private static final Duration ROLLOUT = Duration.ofSeconds(90);
    private static final String APP = "edge";

    OperatorEnvironment env;
    private KubernetesClient client;
    private String namespace;

    @BeforeEach
    void namespace() {
        client = env.controlPlane().client();
        namespace = "node-" + UUID.randomUUID().toString().substring(0, 8);
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata()
                .build()).serverSideApply();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {RealNode.DEFAULT_FLEET_IMAGE, RealNode.HAPROXY_3_0})
    void haproxyPodsServeOnTheirPodIpsAndThroughTheirService(String image) {
        config("good", "http-request return status 200 content-type text/plain string served-by-haproxy");
        client.apps().deployments().inNamespace(namespace).resource(deployment(image, "good")).create();
        var service = client.services().inNamespace(namespace).resource(new ServiceBuilder().withNewMetadata()
                .withName(APP).endMetadata().withNewSpec().withSelector(Map.of("app", APP)).addNewPort()
                .withPort(80).withTargetPort(new IntOrString(8080)).endPort().endSpec().build()).create();

        awaitReady(2);

        for (var pod : pods()) {
            assertThat(HttpProbe.get(pod.getStatus().getPodIP(), 8080, "edge", "/", null).body())
                    .isEqualTo("served-by-haproxy");
            var haproxy = pod.getStatus().getContainerStatuses().get(0);
            assertThat(haproxy.getRestartCount()).isZero();
        }
        String clusterIp = service.getSpec().getClusterIP();
        await("kube-proxy serves the ClusterIP").atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .untilAsserted(() -> assertThat(HttpProbe.get(clusterIp, 80, "edge", "/", null).body())
                        .isEqualTo("served-by-haproxy"));
    }

    @Test
    void aConfigurationHaproxyRefusesFailsTheInitStepWithHaproxysLine() {
        config("bad", "bogus-keyword here");
        client.apps().deployments().inNamespace(namespace).resource(deployment(RealNode.DEFAULT_FLEET_IMAGE, "bad"))
                .create();

        await("the init step fails with HAProxy's output").atMost(ROLLOUT).untilAsserted(() -> assertThat(pods())
                .singleElement().satisfies(pod -> {
                    // A pod the kubelet has only just taken lists no init container yet.
                    assertThat(pod.getStatus().getInitContainerStatuses()).isNotEmpty();
                    var init = pod.getStatus().getInitContainerStatuses().get(0);
                    var terminated = init.getState().getTerminated() != null ? init.getState().getTerminated()
                            : init.getLastState().getTerminated();
                    assertThat(terminated).isNotNull();
                    assertThat(terminated.getExitCode()).isNotZero();
                    assertThat(terminated.getMessage()).contains("[ALERT]", "unknown keyword 'bogus-keyword'");
                }));
        assertThat(pods()).allSatisfy(pod -> assertThat(ready(pod)).isFalse());
    }

    private void config(String name, String frontendLine) {
        client.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder().withNewMetadata().withName(name)
                .endMetadata().withData(Map.of("haproxy.cfg", """
                        global
                          log stdout format raw local0
                        defaults
                          mode http
                          timeout client 5s
                          timeout server 5s
                          timeout connect 1s
                        frontend http
                          bind :8080
                          %s
                        """.formatted(frontendLine))).build()).create();
    }

    /** The shape of the operator's fleet: an init step checks the mounted file, then HAProxy serves it. */
    private Deployment deployment(String image, String configMap) {
        String file = "/usr/local/etc/haproxy/haproxy.cfg";
        return new DeploymentBuilder().withNewMetadata().withName(APP).endMetadata()
                .withNewSpec().withReplicas(configMap.equals("bad") ? 1 : 2)
                .withNewSelector().withMatchLabels(Map.of("app", APP)).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(Map.of("app", APP)).endMetadata()
                .withNewSpec().withDnsPolicy("Default")
                .addNewInitContainer().withName("validate").withImage(image).withCommand("haproxy", "-c", "-f", file)
                .withTerminationMessagePolicy("FallbackToLogsOnError")
                .addNewVolumeMount().withName("config").withMountPath("/usr/local/etc/haproxy").endVolumeMount()
                .endInitContainer()
                .addNewContainer().withName("haproxy").withImage(image)
                .withCommand("haproxy", "-W", "-db", "-f", file)
                .withNewReadinessProbe().withNewTcpSocket().withPort(new IntOrString(8080)).endTcpSocket()
                .withPeriodSeconds(1).endReadinessProbe()
                .addNewVolumeMount().withName("config").withMountPath("/usr/local/etc/haproxy").endVolumeMount()
                .endContainer()
                .addNewVolume().withName("config").withNewConfigMap().withName(configMap).endConfigMap().endVolume()
                .endSpec().endTemplate().endSpec().build();
    }

    private void awaitReady(int replicas) {
        await("pods Ready").atMost(ROLLOUT).untilAsserted(() -> assertThat(pods()).hasSize(replicas)
                .allSatisfy(pod -> assertThat(ready(pod)).isTrue()));
    }

    private List<Pod> pods() {
        return client.pods().inNamespace(namespace).withLabel("app", APP).list().getItems();
    }

    private static boolean ready(Pod pod) {
        return pod.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }
}
