package io.haproxyconsul.operator.testenv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Deployments on the real control plane roll as on a cluster, with pods run by the simulated kubelet. */
@ExtendWith(ControlPlaneExtension.class)
class ControlPlaneIT {

    private static final Duration ROLLOUT = Duration.ofSeconds(90);
    private static final String APP = "edge";

    private ControlPlane plane;
    private KubernetesClient client;
    private String namespace;

    @BeforeEach
    void namespace(ControlPlane controlPlane) {
        plane = controlPlane;
        client = plane.client();
        namespace = "cp-" + UUID.randomUUID().toString().substring(0, 8);
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata()
                .build()).serverSideApply();
    }

    @AfterEach
    void startAllPodsAgain() {
        plane.kubelet().startAllPods();
    }

    @Test
    void podsBecomeReadyAndATemplateChangeRollsToANewReplicaSet() {
        client.apps().deployments().inNamespace(namespace).resource(deployment("config-a")).create();
        awaitRolledOut();
        var first = replicaSets();
        assertThat(first).hasSize(1);

        editConfigHash("config-b");

        awaitRolledOut();
        var sets = replicaSets();
        assertThat(sets).hasSize(2);
        var current = sets.stream().filter(rs -> hash(rs).equals("config-b")).findFirst().orElseThrow();
        assertThat(current.getStatus().getReadyReplicas()).isEqualTo(2);
        assertThat(sets).filteredOn(rs -> hash(rs).equals("config-a"))
                .allSatisfy(old -> assertThat(old.getSpec().getReplicas()).isZero());
        assertThat(pods()).hasSize(2).allSatisfy(pod -> assertThat(hash(pod)).isEqualTo("config-b"));
    }

    @Test
    void aFailingInitContainerHoldsTheRolloutWhileOldPodsStayReady() {
        client.apps().deployments().inNamespace(namespace).resource(deployment("good")).create();
        awaitRolledOut();
        String haproxyError = "[ALERT]    (1) : config : parsing [/etc/haproxy/haproxy.cfg:7] : unknown keyword "
                + "'bogus' in 'global' section";
        plane.kubelet().failInitContainers(pod -> "bad".equals(hash(pod)) ? Optional.of(haproxyError)
                : Optional.empty());

        editConfigHash("bad");

        await("the rollout passes its progress deadline").atMost(ROLLOUT).untilAsserted(() -> {
            var status = current().getStatus();
            assertThat(status.getConditions()).anySatisfy(condition -> {
                assertThat(condition.getType()).isEqualTo("Progressing");
                assertThat(condition.getStatus()).isEqualTo("False");
                assertThat(condition.getReason()).isEqualTo("ProgressDeadlineExceeded");
            });
        });
        var status = current().getStatus();
        assertThat(status.getReadyReplicas()).isEqualTo(2);
        assertThat(status.getUpdatedReplicas()).isEqualTo(1);
        assertThat(pods()).filteredOn(pod -> "good".equals(hash(pod))).hasSize(2)
                .allSatisfy(pod -> assertThat(ready(pod)).isTrue());
        var failed = pods().stream().filter(pod -> "bad".equals(hash(pod))).toList();
        assertThat(failed).singleElement().satisfies(pod -> {
            assertThat(ready(pod)).isFalse();
            var init = pod.getStatus().getInitContainerStatuses().get(0);
            assertThat(init.getState().getWaiting().getReason()).isEqualTo("CrashLoopBackOff");
            assertThat(init.getLastState().getTerminated().getExitCode()).isEqualTo(1);
            assertThat(init.getLastState().getTerminated().getMessage()).isEqualTo(haproxyError);
        });
    }

    private Deployment deployment(String configHash) {
        return new DeploymentBuilder().withNewMetadata().withName(APP).endMetadata()
                .withNewSpec().withReplicas(2).withProgressDeadlineSeconds(10)
                .withNewSelector().withMatchLabels(Map.of("app", APP)).endSelector()
                .withNewStrategy().withType("RollingUpdate").withNewRollingUpdate()
                .withNewMaxUnavailable(0).withNewMaxSurge(1).endRollingUpdate().endStrategy()
                .withNewTemplate().withNewMetadata().withLabels(Map.of("app", APP))
                .withAnnotations(Map.of("haproxyconsul.io/config-hash", configHash)).endMetadata()
                .withNewSpec()
                .addNewInitContainer().withName("validate").withImage("haproxy:2.6")
                .withCommand("haproxy", "-c", "-f", "/etc/haproxy/haproxy.cfg")
                .withTerminationMessagePolicy("FallbackToLogsOnError").endInitContainer()
                .addNewContainer().withName("haproxy").withImage("haproxy:2.6").endContainer()
                .endSpec().endTemplate().endSpec().build();
    }

    private void editConfigHash(String configHash) {
        client.apps().deployments().inNamespace(namespace).withName(APP).edit(d -> {
            d.getSpec().getTemplate().getMetadata().getAnnotations().put("haproxyconsul.io/config-hash", configHash);
            return d;
        });
    }

    private void awaitRolledOut() {
        await("deployment rolled out").atMost(ROLLOUT).untilAsserted(() -> {
            var d = current();
            assertThat(d.getStatus().getObservedGeneration()).isEqualTo(d.getMetadata().getGeneration());
            assertThat(d.getStatus().getUpdatedReplicas()).isEqualTo(2);
            assertThat(d.getStatus().getReadyReplicas()).isEqualTo(2);
            assertThat(d.getStatus().getAvailableReplicas()).isEqualTo(2);
            assertThat(d.getStatus().getReplicas()).isEqualTo(2);
        });
    }

    private Deployment current() {
        return client.apps().deployments().inNamespace(namespace).withName(APP).get();
    }

    private List<ReplicaSet> replicaSets() {
        return client.apps().replicaSets().inNamespace(namespace).withLabel("app", APP).list().getItems();
    }

    private List<Pod> pods() {
        return client.pods().inNamespace(namespace).withLabel("app", APP).list().getItems();
    }

    private static String hash(ReplicaSet rs) {
        return rs.getSpec().getTemplate().getMetadata().getAnnotations().get("haproxyconsul.io/config-hash");
    }

    private static String hash(Pod pod) {
        return pod.getMetadata().getAnnotations().get("haproxyconsul.io/config-hash");
    }

    private static boolean ready(Pod pod) {
        return pod.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }
}
