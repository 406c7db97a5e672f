package io.haproxyconsul.operator.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.haproxyconsul.operator.owned.OwnedObjects;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RolloutTest {

    private static final String HAPROXY_OUTPUT = "[NOTICE]   (1) : haproxy version is 2.6.12\n"
            + "[ALERT]    (1) : config : parsing [/usr/local/etc/haproxy/haproxy.cfg:12] : unknown keyword 'bogus' "
            + "in 'global' section\n[ALERT]    (1) : config : Fatal errors found in configuration.\n";

    @Test
    void aDeploymentOnAnotherHashIsNotYetRollingToTheTarget() {
        var rollout = Rollout.assess(deployment("old", 2, 2, 2), List.of(), "new");

        assertThat(rollout.complete()).isFalse();
        assertThat(rollout.failure()).isEmpty();
    }

    @Test
    void everyPodUpdatedReadyAndAvailableIsComplete() {
        var rollout = Rollout.assess(deployment("new", 2, 2, 2), List.of(), "new");

        assertThat(rollout.complete()).isTrue();
        assertThat(rollout.updated()).isEqualTo(2);
    }

    @Test
    void anOldPodStillRunningKeepsTheRolloutOpen() {
        var rollout = Rollout.assess(deployment("new", 2, 2, 3), List.of(), "new");

        assertThat(rollout.complete()).isFalse();
    }

    @Test
    void aFailedInitStepOfATargetPodIsAFailureInHaproxysWords() {
        var failed = pod("edge-haproxy-1", "new", HAPROXY_OUTPUT);
        var oldFailure = pod("edge-haproxy-0", "old", "[ALERT] (1) : config : something else");

        var rollout = Rollout.assess(deployment("new", 2, 1, 3), List.of(oldFailure, failed), "new");

        assertThat(rollout.complete()).isFalse();
        assertThat(rollout.failure()).hasValue("pod edge-haproxy-1: parsing [/usr/local/etc/haproxy/haproxy.cfg:12] "
                + ": unknown keyword 'bogus' in 'global' section");
    }

    @Test
    void aRolloutPastItsDeadlineIsAFailure() {
        var stalled = new DeploymentBuilder(deployment("new", 2, 1, 3)).editStatus().addNewCondition()
                .withType("Progressing").withStatus("False").withReason("ProgressDeadlineExceeded")
                .withMessage("ReplicaSet \"edge-haproxy-7d\" has timed out progressing.").endCondition().endStatus()
                .build();

        assertThat(Rollout.assess(stalled, List.of(), "new").failure()).hasValueSatisfying(failure -> assertThat(
                failure).startsWith("the rollout made no progress within 300s").contains("timed out progressing"));
    }

    private static Deployment deployment(String hash, int updated, int ready, int total) {
        return new DeploymentBuilder().withNewMetadata().withName("edge-haproxy").withGeneration(3L).endMetadata()
                .withNewSpec().withReplicas(2).withProgressDeadlineSeconds(300).withNewTemplate().withNewMetadata()
                .withAnnotations(Map.of(OwnedObjects.CONFIG_HASH_ANNOTATION, hash)).endMetadata().endTemplate()
                .endSpec()
                .withNewStatus().withObservedGeneration(3L).withUpdatedReplicas(updated).withReadyReplicas(ready)
                .withAvailableReplicas(ready).withReplicas(total).endStatus().build();
    }

    private static Pod pod(String name, String hash, String initOutput) {
        return new PodBuilder().withNewMetadata().withName(name)
                .withAnnotations(Map.of(OwnedObjects.CONFIG_HASH_ANNOTATION, hash)).endMetadata()
                .withNewStatus().withInitContainerStatuses(new ContainerStatusBuilder().withName("validate")
                        .withNewState().withNewWaiting().withReason("CrashLoopBackOff").endWaiting().endState()
                        .withNewLastState().withNewTerminated().withExitCode(1).withReason("Error")
                        .withMessage(initOutput).endTerminated().endLastState().build())
                .endStatus().build();
    }
}
