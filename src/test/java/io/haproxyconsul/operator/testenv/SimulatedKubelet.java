package io.haproxyconsul.operator.testenv;

import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * Stands in for the scheduler and a kubelet, since no container runtime runs here: binds every new pod to one
 * Ready node and reports its status as a kubelet would. By default every init container completes and every
 * container runs and is Ready; {@link #failInitContainers} makes chosen pods fail an init container, reported
 * the way a kubelet reports it (terminated with exit code 1, the container's output as the message — what
 * {@code terminationMessagePolicy: FallbackToLogsOnError} gives — then CrashLoopBackOff), so the pod never
 * becomes Ready. Pods being deleted are removed at once, as a kubelet does once their containers have stopped.
 */
public final class SimulatedKubelet implements AutoCloseable {

    public static final String NODE = "simulated-node";
    private static final Logger LOG = Logger.getLogger(SimulatedKubelet.class);

    private final KubernetesClient client;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        var thread = new Thread(r, "simulated-kubelet");
        thread.setDaemon(true);
        return thread;
    });
    private final Set<String> reported = ConcurrentHashMap.newKeySet();
    private final AtomicInteger nextIp = new AtomicInteger(10);
    private volatile Function<Pod, Optional<String>> initFailure = pod -> Optional.empty();
    private volatile Predicate<Pod> held = pod -> false;
    private final Set<Pod> waiting = ConcurrentHashMap.newKeySet();
    private SharedIndexInformer<Pod> informer;

    private SimulatedKubelet(KubernetesClient client) {
        this.client = client;
    }

    static SimulatedKubelet start(KubernetesClient client) {
        var kubelet = new SimulatedKubelet(client);
        kubelet.registerNode();
        kubelet.informer = client.pods().inAnyNamespace().inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                kubelet.submit(pod);
            }

            @Override
            public void onUpdate(Pod oldPod, Pod pod) {
                kubelet.submit(pod);
            }

            @Override
            public void onDelete(Pod pod, boolean deletedFinalStateUnknown) {
                kubelet.reported.remove(pod.getMetadata().getUid());
            }
        }, 0);
        return kubelet;
    }

    /**
     * From now on, a pod for which {@code failure} returns a message fails its first init container with that
     * message as its output (HAProxy's error line, say); other pods start normally.
     */
    public void failInitContainers(Function<Pod, Optional<String>> failure) {
        this.initFailure = failure;
    }

    /** Back to every pod starting normally (pods already reported keep their status); held pods start too. */
    public void startAllPods() {
        this.initFailure = pod -> Optional.empty();
        releaseHeldPods();
    }

    /** From now on, pods matching {@code hold} stay Pending (bound, nothing started) until released. */
    public void holdPods(Predicate<Pod> hold) {
        this.held = hold;
    }

    /** Starts the held pods, as a kubelet that got its images at last would. */
    public void releaseHeldPods() {
        this.held = pod -> false;
        waiting.forEach(this::submit);
        waiting.clear();
    }

    private void submit(Pod pod) {
        worker.submit(() -> {
            try {
                handle(pod);
            } catch (KubernetesClientException e) {
                // A pod that changed or went meanwhile: its next event brings it back here.
                LOG.debugf("simulated kubelet: %s/%s: %s", pod.getMetadata().getNamespace(),
                        pod.getMetadata().getName(), e.getMessage());
            }
        });
    }

    private void handle(Pod pod) {
        var meta = pod.getMetadata();
        var pods = client.pods().inNamespace(meta.getNamespace()).withName(meta.getName());
        if (meta.getDeletionTimestamp() != null) {
            pods.withGracePeriod(0).delete();
            return;
        }
        if (pod.getSpec().getNodeName() == null || pod.getSpec().getNodeName().isEmpty()) {
            client.bindings().inNamespace(meta.getNamespace()).resource(new BindingBuilder().withNewMetadata()
                    .withName(meta.getName()).withNamespace(meta.getNamespace()).endMetadata().withNewTarget()
                    .withApiVersion("v1").withKind("Node").withName(NODE).endTarget().build()).create();
            return;
        }
        if (reported.contains(meta.getUid())) {
            return;
        }
        if (held.test(pod)) {
            waiting.add(pod);
            return;
        }
        var failure = initFailure.apply(pod);
        String now = Instant.now().toString();
        String ip = "127.0.0." + (nextIp.getAndIncrement() % 200 + 10);
        pods.editStatus(current -> {
            var status = current.getStatus();
            status.setHostIP("127.0.0.1");
            status.setPodIP(ip);
            status.setStartTime(now);
            status.setInitContainerStatuses(initStatuses(current.getSpec().getInitContainers(), failure, now));
            boolean running = failure.isEmpty();
            status.setPhase(running ? "Running" : "Pending");
            status.setContainerStatuses(current.getSpec().getContainers().stream()
                    .map(c -> running ? runningStatus(c, now) : waitingStatus(c, "PodInitializing")).toList());
            status.setConditions(List.of(
                    condition("PodReadyToStartContainers", true, now),
                    condition("Initialized", running, now),
                    condition("Ready", running, now),
                    condition("ContainersReady", running, now),
                    condition("PodScheduled", true, now)));
            return current;
        });
        reported.add(meta.getUid());
    }

    private static List<ContainerStatus> initStatuses(List<Container> containers, Optional<String> failure,
            String now) {
        var statuses = new ArrayList<ContainerStatus>();
        for (int i = 0; i < containers.size(); i++) {
            var container = containers.get(i);
            if (failure.isPresent() && i == 0) {
                statuses.add(new ContainerStatusBuilder().withName(container.getName())
                        .withImage(container.getImage()).withImageID(container.getImage())
                        .withContainerID("simulated://" + container.getName()).withReady(false).withStarted(false)
                        .withRestartCount(1)
                        .withNewState().withNewWaiting().withReason("CrashLoopBackOff")
                        .withMessage("back-off 10s restarting failed container=" + container.getName())
                        .endWaiting().endState()
                        .withNewLastState().withNewTerminated().withExitCode(1).withReason("Error")
                        .withMessage(failure.get()).withStartedAt(now).withFinishedAt(now).endTerminated()
                        .endLastState().build());
            } else if (failure.isPresent()) {
                statuses.add(waitingStatus(container, "PodInitializing"));
            } else {
                statuses.add(new ContainerStatusBuilder().withName(container.getName())
                        .withImage(container.getImage()).withImageID(container.getImage())
                        .withContainerID("simulated://" + container.getName()).withReady(true).withStarted(false)
                        .withRestartCount(0).withNewState().withNewTerminated().withExitCode(0)
                        .withReason("Completed").withStartedAt(now).withFinishedAt(now).endTerminated().endState()
                        .build());
            }
        }
        return statuses;
    }

    private static ContainerStatus runningStatus(Container container, String now) {
        return new ContainerStatusBuilder().withName(container.getName()).withImage(container.getImage())
                .withImageID(container.getImage()).withContainerID("simulated://" + container.getName())
                .withReady(true).withStarted(true).withRestartCount(0).withNewState().withNewRunning()
                .withStartedAt(now).endRunning().endState().build();
    }

    private static ContainerStatus waitingStatus(Container container, String reason) {
        return new ContainerStatusBuilder().withName(container.getName()).withImage(container.getImage())
                .withImageID("").withReady(false).withStarted(false).withRestartCount(0).withNewState()
                .withNewWaiting().withReason(reason).endWaiting().endState().build();
    }

    private static PodCondition condition(String type, boolean value, String now) {
        var builder = new PodConditionBuilder().withType(type).withStatus(value ? "True" : "False")
                .withLastTransitionTime(now);
        if (!value && ("Ready".equals(type) || "ContainersReady".equals(type))) {
            builder.withReason("ContainersNotReady").withMessage("containers with incomplete status");
        } else if (!value && "Initialized".equals(type)) {
            builder.withReason("ContainersNotInitialized").withMessage("containers with incomplete status");
        }
        return builder.build();
    }

    private void registerNode() {
        var capacity = Map.of("cpu", new Quantity("64"), "memory", new Quantity("256Gi"), "pods", new Quantity("500"));
        var node = client.nodes().resource(new NodeBuilder().withNewMetadata().withName(NODE)
                .withLabels(Map.of("kubernetes.io/hostname", NODE, "kubernetes.io/os", "linux")).endMetadata()
                .build()).create();
        String now = Instant.now().toString();
        client.nodes().resource(node).editStatus(current -> {
            current.getStatus().setCapacity(capacity);
            current.getStatus().setAllocatable(capacity);
            current.getStatus().setConditions(List.of(new io.fabric8.kubernetes.api.model.NodeConditionBuilder()
                    .withType("Ready").withStatus("True").withReason("KubeletReady")
                    .withMessage("simulated kubelet is posting ready status").withLastHeartbeatTime(now)
                    .withLastTransitionTime(now).build()));
            return current;
        });
    }

    @Override
    public void close() {
        if (informer != null) {
            informer.close();
        }
        worker.shutdownNow();
    }
}
