package io.haproxyconsul.operator.bench;

import io.haproxyconsul.operator.testenv.BindingStatusWatch;
import io.haproxyconsul.operator.testenv.ConsulAgent;
import io.haproxyconsul.operator.testenv.CountingProxy;
import io.haproxyconsul.operator.testenv.FreePorts;
import io.haproxyconsul.operator.testenv.ControlPlane;
import io.haproxyconsul.operator.testenv.OperatorProcess;
import io.haproxyconsul.operator.testenv.RealParts;
import io.haproxyconsul.operator.testenv.RealParts.Part;
import io.haproxyconsul.operator.testenv.SyntheticCatalog;
import io.haproxyconsul.operator.testenv.TempDirs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * From a Consul write to a validated configuration, for the operator and for consul-template, on the same Consul
 * in the same run: the operator publishing a ConfigMap (seen through the binding's status), consul-template
 * rendering the seed's template and running {@code haproxy -c} on it as the seed's restart script did. No debounce
 * on either. Started by {@code bench/propagation.sh}; prints one row a catalog size.
 */
public final class PropagationBenchmark {

    private static final Duration CHANGE_TIMEOUT = Duration.ofSeconds(60);
    private static final List<String> stages = new ArrayList<>();
    private PropagationBenchmark() {
    }

    /** {@code services} services of {@code instances} instances each, written as {@code 5000x10} ({@code 100}: one). */
    record Size(int services, int instances) {
        static Size parse(String text) {
            var parts = text.split("x");
            return new Size(Integer.parseInt(parts[0]), parts.length > 1 ? Integer.parseInt(parts[1]) : 1);
        }

        @Override
        public String toString() {
            return instances == 1 ? String.valueOf(services) : services + " × " + instances;
        }
    }

    public static void main(String[] args) {
        var sizes = Arrays.stream((args.length > 0 ? args[0] : "10,100,1000").split(",")).map(Size::parse).toList();
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        System.out.println("| services | operator p50 / p95 / max ms | consul-template p50 / p95 / max ms | p50 ratio "
                + "(operator / consul-template) | p95 ratio | timeouts | CPU s | peak RSS MB | requests to Consul | "
                + "max connections |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        int exit = 0;
        try (var plane = ControlPlane.start()) {
            plane.applyCrds();
            String token = plane.operatorToken();
            for (var size : sizes) {
                run(plane, token, size, rounds);
            }
            System.out.println();
            System.out.println("Inside the operator, per change (mean over the measured changes):");
            stages.forEach(line -> System.out.println("- " + line));
        } catch (Exception e) {
            e.printStackTrace();
            exit = 1;
        }
        // The Kubernetes client's event loops would keep the JVM alive.
        System.exit(exit);
    }

    private static void run(ControlPlane plane, String token, Size size, int rounds) throws Exception {
        int services = size.services();
        var consul = ConsulAgent.start(RealParts.require(Part.CONSUL),
                List.of("-hcl", "limits { http_max_conns_per_client = 10000 }"));
        Path work = TempDirs.create("bench-" + services + "x" + size.instances());
        var resources = new ArrayList<AutoCloseable>(List.of(consul));
        try {
            int consulPort = Integer.parseInt(consul.httpAddress().replaceAll(".*:", ""));
            consul.registerInCatalog(SyntheticCatalog.of(services, size.instances(), List.of()));
            var operatorProxy = new CountingProxy(consulPort);
            var templateProxy = new CountingProxy(consulPort);
            resources.add(operatorProxy);
            resources.add(templateProxy);

            int metricsPort = FreePorts.next();
            var settings = new HashMap<>(DeployedJvm.environment());
            settings.putAll(Map.of("QUARKUS_LOG_LEVEL", "WARN", "QUARKUS_HTTP_PORT", String.valueOf(metricsPort)));
            var operator = OperatorProcess.start("bench-operator", plane, token, settings);
            resources.add(operator);
            String namespace = "bench-" + services + "x" + size.instances();
            plane.kubectl("create", "namespace", namespace).assertSuccess();
            // When the published configuration last changed, as the binding's status tells a watcher.
            var lastHash = new AtomicReference<String>();
            var lastChange = new AtomicLong();
            var informer = BindingStatusWatch.watch(plane.client(), namespace, "bench", binding -> {
                var current = binding.getStatus() == null ? null : binding.getStatus().currentConfig;
                if (current != null && !current.hash.equals(lastHash.getAndSet(current.hash))) {
                    lastChange.set(System.nanoTime());
                }
            });
            resources.add(informer);
            plane.apply("""
                    apiVersion: haproxyconsul.io/v1alpha1
                    kind: HaproxyConsulBinding
                    metadata: {name: bench, namespace: %s}
                    spec:
                      consul: {address: "http://127.0.0.1:%d"}
                      routing: {domain: bench.test}
                      rollout: {debounce: {min: "0", max: "0"}}
                    """.formatted(namespace, operatorProxy.port())).assertSuccess();

            // As the seed's restart script: check the new file with haproxy -c; the marker records when that is done.
            Path file = work.resolve("haproxy.cfg");
            var template = ConsulTemplate.start(work, templateProxy.port(), "127.0.0.1:8080", file,
                    "%s -c -q -f %s && date +%%s%%N > %s".formatted(RealParts.require(Part.HAPROXY), file,
                            work.resolve("rendered")));
            resources.add(template);
            Path rendered = work.resolve("rendered");
            waitFor(() -> lastHash.get() != null && Files.exists(rendered), Duration.ofMinutes(10),
                    "first configuration of " + size + " services");

            // One unmeasured round first: both sides have run every kind of change once (the JVM has compiled
            // the hot paths), as they would have in a process that runs for days.
            measure(consul, services, 0, rendered, lastChange, new ArrayList<>(), new ArrayList<>());
            var operatorLatencies = new ArrayList<Long>();
            var templateLatencies = new ArrayList<Long>();
            long operatorCpu0 = cpuNanos(operator.pid());
            long templateCpu0 = cpuNanos(template.pid());
            long operatorRequests0 = operatorProxy.requests();
            long templateRequests0 = templateProxy.requests();
            var stages0 = OperatorStages.read(metricsPort);
            operatorProxy.resetMaxOpen();
            templateProxy.resetMaxOpen();
            for (int round = 1; round <= rounds; round++) {
                measure(consul, services, round, rendered, lastChange, operatorLatencies, templateLatencies);
            }
            var operatorSide = new Latencies(operatorLatencies);
            var templateSide = new Latencies(templateLatencies);
            // Each column after the ratios: operator / consul-template.
            System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %d / %d | %.2f / %.2f | %d / %d | %d / %d | "
                    + "%d / %d |%n", size, operatorSide.summary(), templateSide.summary(),
                    operatorSide.ratioTo(templateSide, 50), operatorSide.ratioTo(templateSide, 95),
                    operatorSide.timeouts(), templateSide.timeouts(), (cpuNanos(operator.pid()) - operatorCpu0) / 1e9,
                    (cpuNanos(template.pid()) - templateCpu0) / 1e9, peakRssKb(operator.pid()) / 1024,
                    peakRssKb(template.pid()) / 1024, operatorProxy.requests() - operatorRequests0,
                    templateProxy.requests() - templateRequests0, operatorProxy.maxOpenConnections(),
                    templateProxy.maxOpenConnections());
            stages.add(size + ": " + OperatorStages.read(metricsPort).since(stages0));
        } finally {
            for (int i = resources.size() - 1; i >= 0; i--) {
                resources.get(i).close();
            }
            TempDirs.delete(work);
        }
    }

    /** One round of five single changes, each waited for on both sides. */
    private static void measure(ConsulAgent consul, int services, int round, Path rendered, AtomicLong lastChange,
            List<Long> operatorLatencies, List<Long> templateLatencies) throws IOException {
        String service = SyntheticCatalog.name((round * 7919) % services);
        String extra = service + "-extra";
        List<Runnable> writes = List.of(
                () -> consul.registerService(service, extra, List.of("http"), "127.0.0.2", 9000),
                () -> consul.failCheck(extra),
                () -> consul.passCheck(extra),
                () -> consul.deregister(extra),
                () -> consul.kvPut("service/haproxy/maxconn", String.valueOf(5000 + round)));
        for (var write : writes) {
            String before = Files.readString(rendered);
            long start = System.nanoTime();
            write.run();
            long[] seen = waitBoth(start, () -> lastChange.get() > start ? lastChange.get() : 0,
                    () -> read(rendered).equals(before) ? 0 : System.nanoTime());
            operatorLatencies.add(seen[0]);
            templateLatencies.add(seen[1]);
        }
    }

    /**
     * Milliseconds from {@code start} to the moment each side reports (a System.nanoTime() value, 0 while nothing
     * is seen), both polled in one loop every 2 ms so that neither waits for the other; -1 on timeout.
     */
    private static long[] waitBoth(long start, LongSupplier operator, LongSupplier template) {
        long deadline = start + CHANGE_TIMEOUT.toNanos();
        long[] seen = {0, 0};
        LongSupplier[] sides = {operator, template};
        while ((seen[0] == 0 || seen[1] == 0) && System.nanoTime() < deadline) {
            for (int i = 0; i < 2; i++) {
                if (seen[i] == 0) {
                    seen[i] = sides[i].getAsLong();
                }
            }
            Latencies.pause();
        }
        return new long[] {latency(start, seen[0]), latency(start, seen[1])};
    }

    private static long latency(long start, long seenAt) {
        return seenAt == 0 ? -1 : Math.max(0, (seenAt - start) / 1_000_000);
    }

    private static void waitFor(java.util.function.BooleanSupplier done, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no " + what + " within " + timeout);
            }
            Latencies.pause();
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }

    private static long cpuNanos(long pid) {
        return ProcessHandle.of(pid).flatMap(p -> p.info().totalCpuDuration()).map(Duration::toNanos).orElse(0L);
    }

    private static long peakRssKb(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status")).stream()
                .filter(line -> line.startsWith("VmHWM:")).map(line -> line.replaceAll("\\D", ""))
                .mapToLong(Long::parseLong).findFirst().orElse(0);
    }
}
