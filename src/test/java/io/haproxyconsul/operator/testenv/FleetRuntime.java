package io.haproxyconsul.operator.testenv;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.haproxyconsul.operator.runtime.RuntimeApi;
import io.haproxyconsul.operator.runtime.RuntimeCredentials;
import io.haproxyconsul.operator.runtime.ServerSlot;
import io.haproxyconsul.operator.runtime.ServersState;
import io.haproxyconsul.operator.runtime.TlsRuntimeApi;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What a fleet pod's HAProxy says of itself, asked through its Runtime API with the binding's own keys (read from
 * the Secret the operator made): the servers each backend sends traffic to, and the worker's process ID, which a
 * reload would change.
 */
public final class FleetRuntime {

    private final RuntimeApi api;
    private final int port;

    private FleetRuntime(RuntimeApi api, int port) {
        this.api = api;
        this.port = port;
    }

    public static FleetRuntime of(KubernetesClient client, String namespace, String binding, int port) {
        var secret = client.secrets().inNamespace(namespace).withName(binding + "-haproxy-runtime-api").get();
        if (secret == null) {
            throw new IllegalStateException("no Runtime API Secret for " + namespace + "/" + binding + " yet");
        }
        var data = new TreeMap<String, String>();
        secret.getData().forEach((key, value) -> data.put(key, new String(Base64.getDecoder().decode(value),
                StandardCharsets.UTF_8)));
        return new FleetRuntime(new TlsRuntimeApi(RuntimeCredentials.of(data).clientContext(), Duration.ofSeconds(2),
                Duration.ofSeconds(10)), port);
    }

    /** The {@code ip:port} of every server of the backend that takes traffic (not in maintenance). */
    public Set<String> servers(Pod pod, String backend) {
        var slots = ServersState.parse(run(pod, "show servers state " + backend).get(0)).backends()
                .getOrDefault(backend, List.of());
        return slots.stream().filter(slot -> !slot.inMaintenance()).map(FleetRuntime::endpoint)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** The worker's process ID ({@code show info}): a reload starts a new worker. */
    public String workerPid(Pod pod) {
        return run(pod, "show info").get(0).lines().filter(line -> line.startsWith("Pid: ")).findFirst()
                .map(line -> line.substring(5).strip()).orElseThrow();
    }

    public List<String> run(Pod pod, String... commands) {
        try {
            return api.run(pod.getStatus().getPodIP(), port, List.of(commands));
        } catch (IOException e) {
            throw new UncheckedIOException("Runtime API of pod " + pod.getMetadata().getName(), e);
        }
    }

    private static String endpoint(ServerSlot slot) {
        return slot.address() + ":" + slot.port();
    }
}
