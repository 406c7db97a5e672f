package io.haproxyconsul.operator.runtime;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBinding;
import io.haproxyconsul.operator.metrics.OperatorMetrics;
import io.haproxyconsul.operator.owned.OwnedObjects;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Brings the HAProxy of every running pod of a fleet to serve the desired servers, through its Runtime API and
 * without a reload, and opens the pod's readiness gate once it does: a new pod takes traffic only with the current
 * servers. What each pod's HAProxy serves is read from the pod itself ({@code show servers state}), so a restarted
 * operator picks up where any other left off; a container is remembered as synced until it restarts or the
 * servers change.
 */
@ApplicationScoped
public class PodServers {

    /** The readiness gate of the fleet's pods. */
    public static final String SYNCED_CONDITION = "haproxyconsul.io/servers-synced";
    private static final Logger LOG = Logger.getLogger(PodServers.class);
    private static final String HAPROXY_CONTAINER = "haproxy";

    /** How one pod stands. */
    public enum State {
        /** Serves the desired servers. */
        SYNCED,
        /** Serves what it can; the rest needs a configuration with room for it ({@code detail} says why). */
        OUTGROWN,
        /** Its HAProxy is not running yet, or did not answer. */
        UNREACHABLE
    }

    /** @param configHash the configuration the pod loads (its template's annotation) */
    public record PodReport(String pod, String configHash, State state, String detail) {
    }

    /** Every pod's state, sorted by pod name. */
    public record Report(List<PodReport> pods) {
        public int synced() {
            return (int) pods.stream().filter(p -> p.state() == State.SYNCED).count();
        }

        /** Whether a pod that loads {@code configHash} cannot take the servers without another configuration. */
        public boolean outgrown(String configHash) {
            return pods.stream().anyMatch(p -> p.state() == State.OUTGROWN && configHash.equals(p.configHash()));
        }

        public Optional<PodReport> firstNotSynced() {
            return pods.stream().filter(p -> p.state() != State.SYNCED).findFirst();
        }
    }

    private record Synced(String containerId, String configHash) {
    }

    private final KubernetesClient client;
    private final RuntimeSecrets secrets;
    private final Function<RuntimeCredentials, RuntimeApi> apis;
    private final OperatorMetrics metrics;
    private final Clock clock;
    /** Binding UID → its pods' UIDs → the container and servers each was last brought to. */
    private final Map<String, Map<String, Synced>> synced = new ConcurrentHashMap<>();
    /** Binding UID → the servers last wanted, for pods that start while no new configuration is published. */
    private final Map<String, DesiredServers> wanted = new ConcurrentHashMap<>();
    /** Binding UID → its Runtime API client. */
    private final Map<String, RuntimeApi> clients = new ConcurrentHashMap<>();

    @Inject
    public PodServers(KubernetesClient client, RuntimeSecrets secrets, OperatorMetrics metrics) {
        this(client, secrets, credentials -> new TlsRuntimeApi(credentials.clientContext(), Duration.ofSeconds(2),
                Duration.ofSeconds(10)), metrics, Clock.systemUTC());
    }

    PodServers(KubernetesClient client, RuntimeSecrets secrets, Function<RuntimeCredentials, RuntimeApi> apis,
            OperatorMetrics metrics, Clock clock) {
        this.client = client;
        this.secrets = secrets;
        this.apis = apis;
        this.metrics = metrics;
        this.clock = clock;
    }

    /**
     * @param desired the servers to serve, or empty to keep serving those last wanted for {@code currentHash}
     *        (a configuration was refused or held: pods keep what they have, and new pods get it too)
     */
    public Report sync(HaproxyConsulBinding binding, Collection<Pod> pods, Optional<DesiredServers> desired,
            String currentHash) {
        String bindingUid = binding.getMetadata().getUid();
        desired.ifPresent(servers -> wanted.put(bindingUid, servers));
        var servers = Optional.ofNullable(wanted.get(bindingUid)).filter(w -> w.configHash().equals(currentHash));
        var api = clients.computeIfAbsent(bindingUid, uid -> apis.apply(secrets.credentials(binding)));
        int port = binding.getSpec().fleet.runtimeApiPort;
        var before = synced.getOrDefault(bindingUid, Map.of());
        var after = new ConcurrentHashMap<String, Synced>();
        var reports = new ArrayList<PodReport>();
        pods.stream().filter(pod -> pod.getMetadata().getDeletionTimestamp() == null)
                .sorted(Comparator.comparing(pod -> pod.getMetadata().getName()))
                .forEach(pod -> reports.add(sync(pod, api, port, servers, before, after)));
        synced.put(bindingUid, after);
        return new Report(List.copyOf(reports));
    }

    /** The binding is gone, or has no fleet any more. */
    public void forget(HaproxyConsulBinding binding) {
        String uid = binding.getMetadata().getUid();
        wanted.remove(uid);
        synced.remove(uid);
        clients.remove(uid);
        secrets.forget(binding);
    }

    private PodReport sync(Pod pod, RuntimeApi api, int port, Optional<DesiredServers> servers,
            Map<String, Synced> before, Map<String, Synced> after) {
        String name = pod.getMetadata().getName();
        String configHash = pod.getMetadata().getAnnotations() == null ? null
                : pod.getMetadata().getAnnotations().get(OwnedObjects.CONFIG_HASH_ANNOTATION);
        var container = runningHaproxy(pod);
        if (container.isEmpty() || pod.getStatus().getPodIP() == null) {
            return new PodReport(name, configHash, State.UNREACHABLE, "HAProxy is not running yet");
        }
        String containerId = container.get().getContainerID();
        if (servers.isEmpty()) {
            closeStaleGate(pod, containerId);
            return new PodReport(name, configHash, State.UNREACHABLE, "no servers known to bring it to yet");
        }
        var want = servers.get();
        var wantedState = new Synced(containerId, want.configHash());
        if (!wantedState.equals(before.get(pod.getMetadata().getUid()))) {
            try {
                var outcome = apply(api, pod.getStatus().getPodIP(), port, want);
                if (!outcome.complete()) {
                    closeStaleGate(pod, containerId);
                    return new PodReport(name, configHash, State.OUTGROWN, String.join("; ",
                            outcome.unsynced().values()));
                }
            } catch (IOException | RuntimeException e) {
                metrics.runtimeUpdateFailed();
                LOG.debugf(e, "Runtime API of pod %s", name);
                closeStaleGate(pod, containerId);
                return new PodReport(name, configHash, State.UNREACHABLE, "Runtime API: "
                        + Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName()));
            }
        }
        after.put(pod.getMetadata().getUid(), wantedState);
        openGate(pod, containerId, want.configHash());
        return new PodReport(name, configHash, State.SYNCED, "");
    }

    /** Reads the pod's servers, sends what differs, and reads them back: what the pod says is what counts. */
    private ServerSync apply(RuntimeApi api, String ip, int port, DesiredServers want) throws IOException {
        var plan = ServerSync.plan(ServersState.parse(api.run(ip, port, List.of("show servers state")).get(0)),
                want.backends());
        if (plan.commands().isEmpty()) {
            return plan;
        }
        var commands = new ArrayList<>(plan.commands());
        commands.add("show servers state");
        var answers = api.run(ip, port, commands);
        metrics.runtimeUpdated(plan.commands().size());
        var after = ServerSync.plan(ServersState.parse(answers.get(answers.size() - 1)), want.backends());
        if (!after.commands().isEmpty()) {
            throw new IOException("HAProxy did not take " + after.commands() + ": " + answers.subList(0,
                    answers.size() - 1).stream().filter(a -> !a.isEmpty()).toList());
        }
        return after;
    }

    private static Optional<ContainerStatus> runningHaproxy(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
            return Optional.empty();
        }
        return pod.getStatus().getContainerStatuses().stream()
                .filter(c -> HAPROXY_CONTAINER.equals(c.getName()) && c.getState() != null
                        && c.getState().getRunning() != null && c.getContainerID() != null)
                .findFirst();
    }

    /** Opens the pod's readiness gate, once per container: later server changes leave it open. */
    private void openGate(Pod pod, String containerId, String configHash) {
        if (!gateOpenFor(pod, containerId)) {
            setGate(pod, true, "ServersSynced", "container " + containerId + " serves the servers of configuration "
                    + configHash);
        }
    }

    /** A restarted HAProxy starts with the servers its configuration names: out of the Service until synced. */
    private void closeStaleGate(Pod pod, String containerId) {
        if (gate(pod).filter(c -> "True".equals(c.getStatus())).isPresent() && !gateOpenFor(pod, containerId)) {
            setGate(pod, false, "ContainerRestarted", "container " + containerId + " does not serve the current "
                    + "servers yet");
        }
    }

    private static boolean gateOpenFor(Pod pod, String containerId) {
        return gate(pod).filter(c -> "True".equals(c.getStatus())
                && Objects.requireNonNullElse(c.getMessage(), "").contains(containerId)).isPresent();
    }

    private static Optional<PodCondition> gate(Pod pod) {
        return pod.getStatus().getConditions() == null ? Optional.empty()
                : pod.getStatus().getConditions().stream().filter(c -> SYNCED_CONDITION.equals(c.getType()))
                        .findFirst();
    }

    private void setGate(Pod pod, boolean open, String reason, String message) {
        String now = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
        String patch = """
                {"status":{"conditions":[{"type":"%s","status":"%s","reason":"%s","message":"%s",\
                "lastTransitionTime":"%s"}]}}""".formatted(SYNCED_CONDITION, open ? "True" : "False", reason,
                message, now);
        client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                .subresource("status").patch(PatchContext.of(PatchType.STRATEGIC_MERGE), patch);
    }
}
