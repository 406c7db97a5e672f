package io.haproxyconsul.operator.demo;

import static org.awaitility.Awaitility.await;

import io.haproxyconsul.operator.testenv.BackendServer;
import io.haproxyconsul.operator.testenv.CommandResult;
import io.haproxyconsul.operator.testenv.ConsulAgent;
import io.haproxyconsul.operator.testenv.ControlPlane;
import io.haproxyconsul.operator.testenv.HttpProbe;
import io.haproxyconsul.operator.testenv.OperatorImage;
import io.haproxyconsul.operator.testenv.RealParts;
import io.haproxyconsul.operator.testenv.RealParts.Part;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The README's demo, on this machine alone: a real control plane and a real node (kubelet, containerd, runc, CNI,
 * kube-proxy), a Consul agent with sample services backed by small HTTP servers, the operator's image installed
 * with {@code kubectl apply -k deploy/base} exactly as a user does, and a binding whose HAProxy pods serve the
 * catalog through their Service. It prints the curl lines to try, then shows a Consul change reaching the pods.
 * Started by {@code hack/demo.sh}; with {@code --check} it sends the requests it prints and exits.
 */
public final class LocalDemo {

    private static final String DOMAIN = "example.test";
    private static final String OPERATOR = "deployment/haproxy-consul-operator";
    /** Under the two minutes a kubectl command is given. */
    private static final Duration WAIT = Duration.ofSeconds(110);

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final boolean check;
    private ControlPlane plane;
    private ConsulAgent consul;
    private String clusterIp;

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
        say("starting the control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler) and a node "
                + "(kubelet, containerd, runc, CNI bridge, kube-proxy); applying crds/");
        plane = keep(ControlPlane.startWithNode());
        plane.applyCrds();
        say("starting Consul with webapp (2 instances, tags http+stateful), api (http) and db (no http tag)");
        consul = keep(ConsulAgent.startReachableAt(RealParts.require(Part.CONSUL), plane.address()));
        register("webapp", "webapp-1", List.of("http", "stateful"));
        register("webapp", "webapp-2", List.of("http", "stateful"));
        register("api", "api-1", List.of("http"));
        register("db", "db-1", List.of("tcp"));

        say("building the operator's image from Dockerfile.jvm (buildah) and running it: kubectl apply -k "
                + "deploy/base");
        OperatorImage.importInto(plane.node());
        kubectl("apply", "-k", Path.of("deploy", "base").toAbsolutePath().toString());
        kubectl("rollout", "status", "-n", ControlPlane.OPERATOR_NAMESPACE, OPERATOR, "--timeout=" + WAIT
                .toSeconds() + "s");

        say("applying a HaproxyConsulBinding with a fleet of 2 HAProxy pods");
        plane.apply("""
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
                  rollout:
                    debounce: {min: 200ms, max: 1s}
                  fleet:
                    replicas: 2
                """.formatted(consul.httpAddressOn(plane.address()), DOMAIN)).assertSuccess();
        kubectl("wait", "--for=condition=Ready", "--timeout=" + WAIT.toSeconds() + "s", "hcb/demo");
        System.out.print(kubectl("get", "hcb,deployment,pods,service", "-o", "wide").output());

        var service = plane.client().services().inNamespace("default").withName("demo-haproxy").get();
        clusterIp = service.getSpec().getClusterIP();
        int port = service.getSpec().getPorts().get(0).getPort();
        String url = "http://" + clusterIp + ":" + port;
        say("the fleet serves through its Service " + url + ". Try:");
        List.of("curl -s -H 'Host: webapp." + DOMAIN + "' " + url + "/",
                "curl -s " + url + "/webapp/orders/7",
                "curl -s -H 'Host: api." + DOMAIN + "' " + url + "/v1/items",
                "curl -s -o /dev/null -w '%{http_code}\\n' -H 'Host: db." + DOMAIN + "' " + url + "/")
                .forEach(line -> System.out.println("    " + line));
        if (check) {
            expect(port, "webapp." + DOMAIN, "/", "identity=webapp-");
            expect(port, "anything", "/webapp/orders/7", "path=/orders/7");
            expect(port, "api." + DOMAIN, "/v1/items", "identity=api-1 path=/v1/items");
            var db = HttpProbe.get(clusterIp, port, "db." + DOMAIN, "/", null);
            if (db.status() != 503) {
                throw new AssertionError("db is not published, expected 503, got " + db.status());
            }
        }

        say("a Consul change: registering webapp-3 ...");
        register("webapp", "webapp-3", List.of("http", "stateful"));
        await("webapp-3 answers through the fleet's Service").atMost(WAIT.multipliedBy(2)).ignoreExceptions()
                .until(() -> HttpProbe.get(clusterIp, port, "webapp." + DOMAIN, "/", null).body()
                        .contains("identity=webapp-3"));
        System.out.print(kubectl("get", "hcb,pods", "-o", "wide").output());
        say("webapp-3 reached the running HAProxy pods through their Runtime API, none of them replaced; `curl -s "
                + "-H 'Host: webapp." + DOMAIN + "' " + url + "/` now reaches webapp-1, -2 and -3");
        if (check) {
            say("check passed");
            return;
        }
        say("to look around: export KUBECONFIG=" + plane.kubeconfig() + "; kubectl get pods -A; kubectl logs -n "
                + ControlPlane.OPERATOR_NAMESPACE + " " + OPERATOR + ". Press Ctrl-C to stop everything.");
        new CountDownLatch(1).await();
    }

    private void register(String service, String id, List<String> tags) {
        var backend = keep(BackendServer.start(id, plane.address()));
        consul.registerService(service, id, tags, plane.address(), backend.port());
    }

    private CommandResult kubectl(String... args) {
        var result = plane.kubectl(args);
        result.assertSuccess();
        return result;
    }

    private void expect(int port, String host, String path, String text) {
        var reply = await("GET " + path + " (Host: " + host + ")").atMost(WAIT).ignoreExceptions()
                .until(() -> HttpProbe.get(clusterIp, port, host, path, null), r -> r.status() == 200);
        if (!reply.body().contains(text)) {
            throw new AssertionError("GET " + path + " (Host: " + host + ") gave " + reply.body() + ", expected "
                    + text);
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
