package io.haproxyconsul.operator.bench;

import io.fabric8.kubernetes.api.model.Pod;
import io.haproxyconsul.operator.testenv.BackendServer;
import io.haproxyconsul.operator.testenv.ConsulAgent;
import io.haproxyconsul.operator.testenv.ControlPlane;
import io.haproxyconsul.operator.testenv.FreePorts;
import io.haproxyconsul.operator.testenv.HaproxyProcess;
import io.haproxyconsul.operator.testenv.HttpProbe;
import io.haproxyconsul.operator.testenv.OperatorProcess;
import io.haproxyconsul.operator.testenv.RealParts;
import io.haproxyconsul.operator.testenv.RealParts.Part;
import io.haproxyconsul.operator.testenv.SyntheticCatalog;
import io.haproxyconsul.operator.testenv.TempDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * From a Consul write until every pod of a three-pod fleet serves the change, asked over HTTP at each pod's IP,
 * beside consul-template doing the seed's whole path on the same Consul in the same run: render the seed's
 * template, {@code haproxy -c}, soft-reload a real HAProxy (master-worker, {@code kill -USR2}), and that HAProxy
 * serving it. Both sides are asked in one loop every 2 ms.
 *
 * <p>The probe service keeps a critical instance, so its backend stays while its one real instance comes and goes.
 * Server changes, in turn: that instance registered, its check failing, passing, and the instance deregistered;
 * served means the instance answers, or HAProxy answers 503 when it left. A structural change registers a new
 * service, which every pod (the pods that replaced them, Ready, none terminating) must route by its host name.
 * Started by {@code bench/fleet.sh}; prints one row a catalog size and kind of change.
 */
public final class FleetPropagationBenchmark {

    private static final int REPLICAS = 3;
    private static final String DOMAIN = "bench.test";
    private static final String PROBE = "probe";
    private static final Duration SERVER_CHANGE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STRUCTURAL_CHANGE_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration PROBE_TIMEOUT = Duration.ofMillis(500);
    private static final Duration POD_LIST_INTERVAL = Duration.ofMillis(20);

    /** What the tables do not say, printed after them. */
    private static final List<String> notes = new ArrayList<>();

    private final ControlPlane plane;
    /** For each measured server change, when the first pod served it: the rest is the pods served one by one. */
    private final List<Long> firstPod = new ArrayList<>();
    private final String token;
    private final int services;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private ConsulAgent consul;
    private HaproxyProcess haproxy;
    private int haproxyPort;
    private String namespace;
    private String bridge;

    private FleetPropagationBenchmark(ControlPlane plane, String token, int services) {
        this.plane = plane;
        this.token = token;
        this.services = services;
    }

    public static void main(String[] args) {
        var sizes = Arrays.stream((args.length > 0 ? args[0] : "10,100,1000").split(",")).map(Integer::parseInt)
                .toList();
        int serverRounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int structural = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        System.out.println("| services | change | operator p50 / p95 / max ms | consul-template p50 / p95 / max ms "
                + "| p50 ratio (operator / consul-template) | changes | timeouts | fleet pods replaced |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- |");
        int exit = 0;
        try (var plane = ControlPlane.startWithNode()) {
            plane.applyCrds();
            String token = plane.operatorToken();
            for (int services : sizes) {
                var benchmark = new FleetPropagationBenchmark(plane, token, services);
                try {
                    benchmark.run(serverRounds, structural);
                } finally {
                    benchmark.close();
                }
            }
            System.out.println();
            notes.forEach(note -> System.out.println("- " + note));
        } catch (Exception e) {
            e.printStackTrace();
            exit = 1;
        }
        // The Kubernetes client's event loops would keep the JVM alive.
        System.exit(exit);
    }

    private void run(int serverRounds, int structuralChanges) throws Exception {
        bridge = plane.address();
        consul = ConsulAgent.start(RealParts.require(Part.CONSUL),
                List.of("-hcl", "limits { http_max_conns_per_client = 10000 }"));
        resources.add(consul);
        consul.registerInCatalog(SyntheticCatalog.of(services, 1, List.of()));
        var instance = BackendServer.start(PROBE, bridge);
        resources.add(instance);
        consul.registerService(PROBE, "probe-anchor", List.of("http"), bridge, 1);
        consul.failCheck("probe-anchor");
        int consulPort = Integer.parseInt(consul.httpAddress().replaceAll(".*:", ""));

        namespace = "fleet-bench-" + services;
        plane.kubectl("create", "namespace", namespace).assertSuccess();
        resources.add(() -> plane.kubectl("delete", "namespace", namespace, "--wait=true", "--timeout=90s"));
        var settings = new HashMap<>(DeployedJvm.environment());
        settings.put("QUARKUS_LOG_LEVEL", "WARN");
        resources.add(OperatorProcess.start("fleet-bench-operator", plane, token, settings));
        plane.apply("""
                apiVersion: haproxyconsul.io/v1alpha1
                kind: HaproxyConsulBinding
                metadata: {name: bench, namespace: %s}
                spec:
                  consul: {address: "http://127.0.0.1:%d"}
                  routing: {domain: %s}
                  rollout: {debounce: {min: "0", max: "0"}}
                  fleet: {replicas: %d, drainSeconds: 5}
                """.formatted(namespace, consulPort, DOMAIN, REPLICAS)).assertSuccess();

        startConsulTemplate(consulPort);
        plane.kubectl("wait", "--for=condition=Ready", "--timeout=110s", "-n", namespace, "hcb/bench")
                .assertSuccess();

        var serverChanges = serverChanges(instance);
        // One unmeasured round first: both sides have run every kind of change once.
        serverChanges.forEach(change -> measureServerChange(change, new ArrayList<>(), new ArrayList<>()));
        var pods = fleetPods();
        var operatorServer = new ArrayList<Long>();
        var templateServer = new ArrayList<Long>();
        firstPod.clear();
        for (int round = 0; round < serverRounds; round++) {
            serverChanges.forEach(change -> measureServerChange(change, operatorServer, templateServer));
        }
        var replaced = new HashSet<>(uids(pods));
        replaced.removeAll(uids(fleetPods()));
        print("server only", new Latencies(operatorServer), new Latencies(templateServer), replaced.size());
        notes.add(String.format(Locale.ROOT, "%d services, server changes: the first pod served after %s ms "
                + "(p50 / p95 / max), the last after %s", services, new Latencies(firstPod).summary(),
                new Latencies(operatorServer).summary()));

        var operatorStructural = new ArrayList<Long>();
        var templateStructural = new ArrayList<Long>();
        var before = uids(fleetPods());
        for (int change = 1; change <= structuralChanges; change++) {
            measureStructuralChange("new-" + change, operatorStructural, templateStructural);
        }
        var rolled = new HashSet<>(before);
        rolled.removeAll(uids(fleetPods()));
        print("structural (a new service)", new Latencies(operatorStructural), new Latencies(templateStructural),
                rolled.size());
    }

    /** What to write, and what the probe service's host then answers when the change is served. */
    private record Change(Runnable write, String served) {
    }

    private List<Change> serverChanges(BackendServer instance) {
        String id = "probe-1";
        String answers = "identity=" + PROBE;
        return List.of(
                new Change(() -> consul.registerService(PROBE, id, List.of("http"), bridge, instance.port()), answers),
                new Change(() -> consul.failCheck(id), "503"),
                new Change(() -> consul.passCheck(id), answers),
                new Change(() -> consul.deregister(id), "503"));
    }

    private void measureServerChange(Change change, List<Long> operator, List<Long> template) {
        var pods = fleetPods();
        var served = new HashSet<String>();
        String host = PROBE + "." + DOMAIN;
        long start = System.nanoTime();
        long[] first = {-1};
        long[] seen = measure(change.write(), () -> {
            pods.stream().filter(pod -> !served.contains(pod.getStatus().getPodIP()))
                    .filter(pod -> change.served().equals(answer(pod.getStatus().getPodIP(), podPort(), host)))
                    .forEach(pod -> served.add(pod.getStatus().getPodIP()));
            if (first[0] < 0 && !served.isEmpty()) {
                first[0] = (System.nanoTime() - start) / 1_000_000;
            }
            return served.size() == pods.size();
        }, () -> change.served().equals(answer("127.0.0.1", haproxyPort, host)), SERVER_CHANGE_TIMEOUT);
        operator.add(seen[0]);
        template.add(seen[1]);
        firstPod.add(first[0]);
    }

    private void measureStructuralChange(String service, List<Long> operator, List<Long> template) {
        var instance = BackendServer.start(service, bridge);
        resources.add(instance);
        String host = service + "." + DOMAIN;
        String answers = "identity=" + service;
        var pods = new Throttled<>(this::fleetPods, POD_LIST_INTERVAL);
        long[] seen = measure(() -> consul.registerService(service, service + "-1", List.of("http"), bridge,
                instance.port()), () -> {
                    var current = pods.get();
                    return current.size() == REPLICAS && current.stream().allMatch(pod -> ready(pod)
                            && answers.equals(answer(pod.getStatus().getPodIP(), podPort(), host)));
                }, () -> answers.equals(answer("127.0.0.1", haproxyPort, host)), STRUCTURAL_CHANGE_TIMEOUT);
        operator.add(seen[0]);
        template.add(seen[1]);
    }

    /**
     * Milliseconds from the write until each side serves it, -1 when it did not within {@code timeout}; the sides
     * are asked in turn, each first every other time.
     */
    private static long[] measure(Runnable write, BooleanSupplier operator, BooleanSupplier template,
            Duration timeout) {
        long start = System.nanoTime();
        write.run();
        long deadline = start + timeout.toNanos();
        long[] seen = {-1, -1};
        BooleanSupplier[] sides = {operator, template};
        for (int turn = 0; (seen[0] < 0 || seen[1] < 0) && System.nanoTime() < deadline; turn++) {
            for (int i = 0; i < 2; i++) {
                int side = (turn + i) % 2;
                if (seen[side] < 0 && sides[side].getAsBoolean()) {
                    seen[side] = (System.nanoTime() - start) / 1_000_000;
                }
            }
            Latencies.pause();
        }
        return seen;
    }

    /**
     * consul-template as the seed ran it, beside a real HAProxy in master-worker mode: it writes HAProxy's
     * configuration file, checks it, and soft-reloads HAProxy when the check passes.
     */
    private void startConsulTemplate(int consulPort) throws Exception {
        Path work = TempDirs.create("fleet-bench-consul-template");
        resources.add(() -> TempDirs.delete(work));
        haproxyPort = FreePorts.next();
        Path binary = RealParts.require(Part.HAPROXY);
        haproxy = HaproxyProcess.start(binary, """
                defaults
                    mode http
                    timeout connect 5s
                    timeout client 50s
                    timeout server 50s
                frontend http
                    bind 127.0.0.1:%d
                """.formatted(haproxyPort), haproxyPort);
        resources.add(haproxy);
        resources.add(ConsulTemplate.start(work, consulPort, "127.0.0.1:" + haproxyPort, haproxy.config(),
                "%s -c -q -f %s && kill -USR2 %d".formatted(binary, haproxy.config(), haproxy.pid())));
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (!Files.readString(haproxy.config()).contains("backend be_" + PROBE)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("consul-template rendered nothing within 2 minutes");
            }
            Latencies.pause();
        }
    }

    /** The identity of the instance that answered the host, HAProxy's status code, or why nothing answered. */
    private static String answer(String address, int port, String host) {
        try {
            var reply = HttpProbe.get(address, port, host, "/", null, PROBE_TIMEOUT);
            return reply.status() == 200 ? reply.body().split(" ")[0] : String.valueOf(reply.status());
        } catch (RuntimeException e) {
            return "unreachable";
        }
    }

    private static int podPort() {
        return 8080;
    }

    /** The fleet's pods with an IP that are not terminating: those the Service may send requests to. */
    private List<Pod> fleetPods() {
        return plane.client().pods().inNamespace(namespace).list().getItems().stream()
                .filter(pod -> pod.getMetadata().getDeletionTimestamp() == null && pod.getStatus().getPodIP() != null)
                .toList();
    }

    private static Set<String> uids(List<Pod> pods) {
        var uids = new HashSet<String>();
        pods.forEach(pod -> uids.add(pod.getMetadata().getUid()));
        return uids;
    }

    private static boolean ready(Pod pod) {
        return pod.getStatus().getConditions() != null && pod.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private void print(String change, Latencies operator, Latencies template, int podsReplaced) {
        System.out.printf(Locale.ROOT, "| %d | %s | %s | %s | %s | %d | %d / %d | %d |%n", services, change,
                operator.summary(), template.summary(), operator.ratioTo(template, 50), operator.millis().size(),
                operator.timeouts(), template.timeouts(), podsReplaced);
    }

    private void close() {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                System.err.println("closing " + resources.get(i) + ": " + e);
            }
        }
    }

    /** A value read again at most once per interval: the pod list, without a request on every poll. */
    private static final class Throttled<T> implements Supplier<T> {
        private final Supplier<T> source;
        private final long intervalNanos;
        private T value;
        private long readAt;

        Throttled(Supplier<T> source, Duration interval) {
            this.source = source;
            this.intervalNanos = interval.toNanos();
        }

        @Override
        public T get() {
            long now = System.nanoTime();
            if (value == null || now - readAt >= intervalNanos) {
                value = source.get();
                readAt = now;
            }
            return value;
        }
    }
}
