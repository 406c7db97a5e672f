package io.haproxyconsul.operator.demo;

import static org.awaitility.Awaitility.await;

import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBinding;
import io.haproxyconsul.operator.publish.PublishedConfigMaps;
import io.haproxyconsul.operator.testenv.BackendServer;
import io.haproxyconsul.operator.testenv.BindingStatusWatch;
import io.haproxyconsul.operator.testenv.ConsulAgent;
import io.haproxyconsul.operator.testenv.ControlPlane;
import io.haproxyconsul.operator.testenv.FreePorts;
import io.haproxyconsul.operator.testenv.HaproxyProcess;
import io.haproxyconsul.operator.testenv.HttpProbe;
import io.haproxyconsul.operator.testenv.ManagedProcess;
import io.haproxyconsul.operator.testenv.OperatorProcess;
import io.haproxyconsul.operator.testenv.RealParts;
import io.haproxyconsul.operator.testenv.RealParts.Part;
import io.haproxyconsul.operator.testenv.TempDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The README's demo, on this machine alone: a real control plane with the CRDs, a Consul agent with sample
 * services backed by small HTTP servers, the operator (the packaged jar, as a separate process), and a real
 * HAProxy standing in for the fleet's pods, reloaded whenever the binding's status points at a new ConfigMap.
 * Started by {@code hack/demo.sh}; with {@code --check} it sends the requests it prints and exits.
 */
public final class LocalDemo {

    private static final String DOMAIN = "example.test";
    private static final Duration PUBLISH = Duration.ofSeconds(60);

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final boolean check;
    private ControlPlane plane;
    private ConsulAgent consul;
    private HaproxyProcess haproxy;
    private int port;
    private volatile String servedHash;

    private LocalDemo(boolean check) {
        this.check = check;
    }

    public static void main(String[] args) throws Exception {
        var demo = new LocalDemo(List.of(args).contains("--check"));
        Runtime.getRuntime().addShutdownHook(new Thread(demo::stop, "demo-stop"));
        try {
            demo.run();
        } catch (Exception | AssertionError e) {
            System.err.println("demo failed: " + e.getMessage());
            System.exit(1);
        }
        System.exit(0);
    }

    private void run() throws Exception {
        say("starting the control plane (etcd, kube-apiserver, kube-controller-manager) and applying crds/");
        plane = keep(ControlPlane.start());
        plane.applyCrds();
        say("starting Consul with webapp (2 instances, tags http+stateful), api (http) and db (no http tag)");
        consul = keep(ConsulAgent.start(RealParts.require(Part.CONSUL)));
        register("webapp", "webapp-1", List.of("http", "stateful"));
        register("webapp", "webapp-2", List.of("http", "stateful"));
        register("api", "api-1", List.of("http"));
        register("db", "db-1", List.of("tcp"));

        say("starting the operator (target/quarkus-app/quarkus-run.jar)");
        var operator = startOperator();
        port = FreePorts.next();
        Path binding = TempDirs.create("demo").resolve("binding.yaml");
        Files.writeString(binding, """
                apiVersion: haproxyconsul.io/v1alpha1
                kind: HaproxyConsulBinding
                metadata:
                  name: demo
                  namespace: default
                spec:
                  consul:
                    address: %s
                  routing:
                    domain: %s
                    port: %d
                  rollout:
                    debounce: {min: 200ms, max: 1s}
                """.formatted(consul.httpAddress(), DOMAIN, port));
        plane.kubectl("apply", "-f", binding.toString()).assertSuccess();
        var ready = plane.kubectl("wait", "--for=condition=Ready", "--timeout=" + PUBLISH.toSeconds() + "s",
                "hcb/demo");
        operator.assertAlive();
        ready.assertSuccess();
        System.out.print(plane.kubectl("get", "hcb", "demo").output());

        followPublishedConfig();
        say("HAProxy serves the published config on 127.0.0.1:" + port + ". Try:");
        List<String> curls = List.of(
                "curl -s -H 'Host: webapp." + DOMAIN + "' http://127.0.0.1:" + port + "/",
                "curl -s http://127.0.0.1:" + port + "/webapp/orders/7",
                "curl -s -H 'Host: api." + DOMAIN + "' http://127.0.0.1:" + port + "/v1/items",
                "curl -s -o /dev/null -w '%{http_code}\\n' -H 'Host: db." + DOMAIN + "' http://127.0.0.1:" + port
                        + "/");
        curls.forEach(line -> System.out.println("    " + line));
        if (check) {
            expect(DOMAIN, "webapp", "/", "identity=webapp-");
            expect("anything", null, "/webapp/orders/7", "path=/orders/7");
            expect(DOMAIN, "api", "/v1/items", "identity=api-1 path=/v1/items");
            var db = HttpProbe.get(port, "db." + DOMAIN, "/");
            if (db.status() != 503) {
                throw new AssertionError("db is not published, expected 503, got " + db.status());
            }
        }

        say("a Consul change: registering webapp-3 ...");
        String before = servedHash;
        register("webapp", "webapp-3", List.of("http", "stateful"));
        await("the new config").atMost(PUBLISH).until(() -> servedHash != null && !servedHash.equals(before));
        say("webapp-3 arrived in HAProxy; `curl -s -H 'Host: webapp." + DOMAIN + "' http://127.0.0.1:" + port
                + "/` now reaches webapp-1, -2 and -3");
        if (check) {
            await("webapp-3 answers through HAProxy").atMost(PUBLISH).until(() -> HttpProbe.get(port, "webapp."
                    + DOMAIN, "/").body().contains("identity=webapp-3"));
            say("check passed");
            return;
        }
        say("operator log: " + operator.log() + ". Press Ctrl-C to stop everything.");
        new CountDownLatch(1).await();
    }

    private void register(String service, String id, List<String> tags) {
        var backend = keep(BackendServer.start(id));
        consul.registerService(service, id, tags, "127.0.0.1", backend.port());
    }

    private ManagedProcess startOperator() {
        return keep(OperatorProcess.start("operator", plane, plane.operatorToken(), Map.of()));
    }

    /** Starts HAProxy on the current config and reloads it each time the status names a new one. */
    private void followPublishedConfig() {
        var bindings = plane.client().resources(HaproxyConsulBinding.class).inNamespace("default").withName("demo");
        serve(bindings.get());
        keep(BindingStatusWatch.watch(plane.client(), "default", "demo", this::serve));
    }

    private synchronized void serve(HaproxyConsulBinding binding) {
        var current = binding.getStatus() == null ? null : binding.getStatus().currentConfig;
        if (current == null || current.hash.equals(servedHash)) {
            return;
        }
        String text = PublishedConfigMaps.text(plane.client().configMaps().inNamespace("default")
                .withName(current.configMapName).get());
        if (haproxy == null) {
            haproxy = keep(HaproxyProcess.start(RealParts.require(Part.HAPROXY), text, port));
        } else {
            haproxy.reload(text);
        }
        servedHash = current.hash;
        say("config " + current.hash + " (" + current.services + " services, " + current.servers
                + " servers) from ConfigMap " + current.configMapName + " is live in HAProxy");
    }

    private void expect(String domain, String service, String path, String text) {
        String host = service == null ? domain : service + "." + domain;
        var reply = HttpProbe.get(port, host, path);
        if (reply.status() != 200 || !reply.body().contains(text)) {
            throw new AssertionError("GET " + path + " (Host: " + host + ") gave " + reply.status() + " "
                    + reply.body() + ", expected " + text);
        }
        say("  GET " + path + " (Host: " + host + ") -> " + reply.body());
    }

    private <T extends AutoCloseable> T keep(T resource) {
        synchronized (started) {
            started.push(resource);
        }
        return resource;
    }

    private void stop() {
        synchronized (started) {
            while (!started.isEmpty()) {
                try {
                    started.pop().close();
                } catch (Exception e) {
                    System.err.println("while stopping: " + e.getMessage());
                }
            }
        }
    }

    private static void say(String line) {
        System.out.println("==> " + line);
    }
}
