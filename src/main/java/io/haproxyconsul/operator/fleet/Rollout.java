package io.haproxyconsul.operator.fleet;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.haproxyconsul.operator.owned.OwnedObjects;
import io.haproxyconsul.operator.validate.HaproxyOutput;
import java.util.Collection;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a fleet stands in moving to a configuration, read from its Deployment and pods: a pure function, so the
 * operator judges the same state the same way after a restart.
 *
 * @param failure why the pods cannot take the target configuration (an init step's HAProxy error, or a rollout
 *        past its progress deadline), if they cannot
 */
public record Rollout(String targetHash, int desired, int updated, int ready, boolean complete,
        Optional<String> failure) {

    public static Rollout assess(Deployment deployment, Collection<Pod> pods, String targetHash) {
        if (deployment == null || !targetHash.equals(templateHash(deployment))) {
            return new Rollout(targetHash, 0, 0, 0, false, Optional.empty());
        }
        var spec = deployment.getSpec();
        var status = deployment.getStatus();
        int desired = Objects.requireNonNullElse(spec.getReplicas(), 1);
        if (status == null || status.getObservedGeneration() == null
                || status.getObservedGeneration() < deployment.getMetadata().getGeneration()) {
            return new Rollout(targetHash, desired, 0, 0, false, initFailure(pods, targetHash));
        }
        int updated = Objects.requireNonNullElse(status.getUpdatedReplicas(), 0);
        int ready = Objects.requireNonNullElse(status.getReadyReplicas(), 0);
        int available = Objects.requireNonNullElse(status.getAvailableReplicas(), 0);
        int total = Objects.requireNonNullElse(status.getReplicas(), 0);
        boolean complete = updated == desired && ready == desired && available == desired && total == desired
                || allReadyOn(pods, targetHash, desired);
        var failure = initFailure(pods, targetHash).or(() -> stalled(deployment));
        return new Rollout(targetHash, desired, updated, ready, complete && failure.isEmpty(), failure);
    }

    /**
     * What the pods themselves say, a moment before the Deployment's status does: exactly {@code desired} pods not
     * being deleted, each on the target and Ready. A change that arrives in that moment must still find the
     * configuration they run proven good.
     */
    private static boolean allReadyOn(Collection<Pod> pods, String targetHash, int desired) {
        var live = pods.stream().filter(pod -> pod.getMetadata().getDeletionTimestamp() == null).toList();
        return live.size() == desired && live.stream().allMatch(pod -> onTarget(pod, targetHash)
                && pod.getStatus() != null && pod.getStatus().getConditions() != null
                && pod.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())));
    }

    private static boolean onTarget(Pod pod, String targetHash) {
        var annotations = pod.getMetadata().getAnnotations();
        return annotations != null && targetHash.equals(annotations.get(OwnedObjects.CONFIG_HASH_ANNOTATION));
    }

    static String templateHash(Deployment deployment) {
        var annotations = deployment.getSpec().getTemplate().getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(OwnedObjects.CONFIG_HASH_ANNOTATION);
    }

    /** A pod on the target whose init step exited non-zero, as the kubelet reports it (now or before a restart). */
    private static Optional<String> initFailure(Collection<Pod> pods, String targetHash) {
        return pods.stream()
                .filter(pod -> onTarget(pod, targetHash))
                .sorted(Comparator.comparing(pod -> pod.getMetadata().getName()))
                .flatMap(pod -> pod.getStatus() == null || pod.getStatus().getInitContainerStatuses() == null
                        ? java.util.stream.Stream.empty()
                        : pod.getStatus().getInitContainerStatuses().stream()
                                .map(Rollout::failedRun).flatMap(Optional::stream)
                                .map(terminated -> "pod " + pod.getMetadata().getName() + ": " + describe(terminated)))
                .findFirst();
    }

    private static Optional<ContainerStateTerminated> failedRun(ContainerStatus status) {
        return java.util.stream.Stream.of(status.getState(), status.getLastState()).filter(Objects::nonNull)
                .map(state -> state.getTerminated())
                .filter(t -> t != null && t.getExitCode() != null && t.getExitCode() != 0).findFirst();
    }

    /** HAProxy's own error line when the termination message holds its output. */
    private static String describe(ContainerStateTerminated terminated) {
        String message = terminated.getMessage();
        if (message == null || message.isBlank()) {
            return "init step exited with code " + terminated.getExitCode() + " (" + terminated.getReason() + ")";
        }
        return HaproxyOutput.firstAlert(message);
    }

    private static Optional<String> stalled(Deployment deployment) {
        return deployment.getStatus().getConditions() == null ? Optional.empty()
                : deployment.getStatus().getConditions().stream()
                        .filter(c -> "Progressing".equals(c.getType()) && "False".equals(c.getStatus())
                                && "ProgressDeadlineExceeded".equals(c.getReason()))
                        .map(c -> "the rollout made no progress within " + deployment.getSpec()
                                .getProgressDeadlineSeconds() + "s: " + c.getMessage())
                        .findFirst();
    }
}
