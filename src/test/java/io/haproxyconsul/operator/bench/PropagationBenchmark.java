package io.haproxyconsul.operator.bench;

import io.haproxyconsul.operator.testenv.BindingStatusWatch;
import io.haproxyconsul.operator.testenv.ConsulAgent;
import io.haproxyconsul.operator.testenv.CountingProxy;
import io.haproxyconsul.operator.testenv.FreePorts;
import io.haproxyconsul.operator.testenv.ControlPlane;
import io.haproxyconsul.operator.testenv.ManagedProcess;
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
    /** The JVM as deploy/ runs it: Dockerfile.jvm's MaxRAMPercentage in the Deployment's 512Mi limit. */
    private static final String OPERATOR_JVM = System.getenv().getOrDefault("BENCH_OPERATOR_JVM",
            "-XX:MaxRAM=512m -XX:MaxRAMPercentage=75");
    private static final String TEMPLATE = """
            global
                maxconn {{ keyOrDefault "service/haproxy/maxconn" "4096" }}
            defaults
                mode http
                timeout connect 5s
                timeout client 50s
                timeout server 50s
            frontend http
                bind :8080
            {{- range services }}{{ if .Tags | contains "http" }}
                acl host_{{ .Name }} hdr(host) -i {{ .Name }}.bench.test
                use_backend be_{{ .Name }} if host_{{ .Name }}
            {{- end }}{{ end }}
            {{ range services }}{{ if .Tags | contains "http" }}
            backend be_{{ .Name }}
                balance leastconn
                option httpchk GET /
            {{- range service .Name }}
                server {{ .ID }} {{ .Address }}:{{ .Port }} check
            {{- end }}
            {{ end }}{{ end }}
            """;

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
        System.out.println("| services | side | p50 ms | p95 ms | max ms | timeouts | CPU s | peak RSS MB | requests "
                + "to Consul | max connections | p50 ratio (consul-template / operator) |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
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
            var operator = OperatorProcess.start("bench-operator", plane, token, Map.of(
                    "JAVA_TOOL_OPTIONS", OPERATOR_JVM, "QUARKUS_LOG_LEVEL", "WARN",
                    "QUARKUS_HTTP_PORT", String.valueOf(metricsPort)));
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

            var template = startConsulTemplate(work, templateProxy.port());
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
            print(size, "operator", operatorLatencies, cpuNanos(operator.pid()) - operatorCpu0,
                    peakRssKb(operator.pid()), operatorProxy.requests() - operatorRequests0,
                    operatorProxy.maxOpenConnections(), null);
            print(size, "consul-template", templateLatencies, cpuNanos(template.pid()) - templateCpu0,
                    peakRssKb(template.pid()), templateProxy.requests() - templateRequests0,
                    templateProxy.maxOpenConnections(), operatorLatencies);
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

    private static ManagedProcess startConsulTemplate(Path work, int consulPort) throws IOException {
        Files.writeString(work.resolve("haproxy.ctmpl"), TEMPLATE);
        String haproxy = RealParts.require(Part.HAPROXY).toString();
        // As the seed's restart script: check the new file with haproxy -c; the marker records when that is done.
        Files.writeString(work.resolve("config.hcl"), """
                consul { address = "127.0.0.1:%d" }
                log_level = "warn"
                template {
                  source      = "%s"
                  destination = "%s"
                  exec {
                    command = ["sh", "-c", "%s -c -q -f %s && date +%%s%%N > %s"]
                  }
                }
                """.formatted(consulPort, work.resolve("haproxy.ctmpl"), work.resolve("haproxy.cfg"), haproxy,
                work.resolve("haproxy.cfg"), work.resolve("rendered")));
        return ManagedProcess.start("consul-template", List.of(RealParts.require(Part.CONSUL_TEMPLATE).toString(),
                "-config", work.resolve("config.hcl").toString()), work, Map.of());
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
            pause();
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
            pause();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
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

    private static void print(Size size, String side, List<Long> latencies, long cpuNanos, long rssKb,
            long requests, int maxOpen, List<Long> operator) {
        var ok = latencies.stream().filter(l -> l >= 0).sorted().toList();
        long timeouts = latencies.size() - ok.size();
        String ratio = "";
        if (operator != null) {
            var op = operator.stream().filter(l -> l >= 0).sorted().toList();
            ratio = op.isEmpty() || ok.isEmpty() ? "n/a" : String.format(Locale.ROOT, "%.2f",
                    (double) Math.max(1, percentile(ok, 50)) / Math.max(1, percentile(op, 50)));
        }
        System.out.printf(Locale.ROOT, "| %s | %s | %d | %d | %d | %d | %.2f | %d | %d | %d | %s |%n", size, side,
                percentile(ok, 50), percentile(ok, 95), ok.isEmpty() ? -1 : ok.get(ok.size() - 1), timeouts,
                cpuNanos / 1e9, rssKb / 1024, requests, maxOpen, ratio);
    }

    private static long percentile(List<Long> sorted, int p) {
        return sorted.isEmpty() ? -1 : sorted.get(Math.min(sorted.size() - 1, (sorted.size() * p + 99) / 100 - 1));
    }
}
