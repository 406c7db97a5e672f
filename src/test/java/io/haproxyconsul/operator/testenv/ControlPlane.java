package io.haproxyconsul.operator.testenv;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.haproxyconsul.operator.testenv.RealParts.Part;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A real Kubernetes control plane on loopback: etcd, kube-apiserver (RBAC, static admin token, its own serving
 * certificate) and kube-controller-manager (Deployments, ReplicaSets, garbage collection, namespaces, service
 * accounts), plus a {@link SimulatedKubelet} in place of a node. What envtest does, with a controller manager so
 * that Deployments roll and owners' deletions cascade.
 */
public final class ControlPlane implements AutoCloseable {

    /** The controllers an operator's objects need; the node-lifecycle ones would evict the simulated node's pods. */
    static final String CONTROLLERS = "deployment-controller,replicaset-controller,garbage-collector-controller,"
            + "namespace-controller,serviceaccount-controller,endpointslice-controller,disruption-controller";

    /** The namespace and service account name of deploy/base. */
    public static final String OPERATOR_NAMESPACE = "haproxy-consul-operator";

    private final Path dir;
    private final List<ManagedProcess> processes = new ArrayList<>();
    private final String adminToken = UUID.randomUUID().toString();
    private String etcdUrl;
    private String url;
    private String caCertData;
    private Path kubeconfig;
    private KubernetesClient client;
    private SimulatedKubelet kubelet;

    private ControlPlane(Path dir) {
        this.dir = dir;
    }

    public static ControlPlane start() {
        var parts = RealParts.requireAll(Part.ETCD, Part.KUBE_APISERVER, Part.KUBE_CONTROLLER_MANAGER, Part.KUBECTL);
        var plane = new ControlPlane(TempDirs.create("control-plane"));
        try {
            plane.startEtcd(parts.get(Part.ETCD));
            plane.startApiServer(parts.get(Part.KUBE_APISERVER));
            plane.startControllerManager(parts.get(Part.KUBE_CONTROLLER_MANAGER));
            plane.kubelet = SimulatedKubelet.start(plane.client);
            return plane;
        } catch (RuntimeException | Error e) {
            plane.close();
            throw e;
        }
    }

    public KubernetesClient client() {
        return client;
    }

    /** A kubeconfig with cluster-admin rights, for kubectl, helm and the operator. */
    public Path kubeconfig() {
        return kubeconfig;
    }

    public String url() {
        return url;
    }

    /** The cluster-admin bearer token. */
    public String adminToken() {
        return adminToken;
    }

    /** The API server's certificate chain, base64 PEM, as kubeconfig's certificate-authority-data. */
    public String caCertData() {
        return caCertData;
    }

    public SimulatedKubelet kubelet() {
        return kubelet;
    }

    /** Client settings for another client of the same API server, e.g. an operator under test. */
    public Config clientConfig() {
        return Config.fromKubeconfig(read(kubeconfig));
    }

    /** Runs kubectl against this control plane. */
    public CommandResult kubectl(String... args) {
        var command = new ArrayList<String>(List.of(RealParts.require(Part.KUBECTL).toString(), "--kubeconfig",
                kubeconfig.toString()));
        command.addAll(List.of(args));
        return CommandResult.run(command, dir, Duration.ofMinutes(2));
    }

    private void startEtcd(Path etcd) {
        int clientPort = FreePorts.next();
        int peerPort = FreePorts.next();
        String clientUrl = "http://127.0.0.1:" + clientPort;
        String peerUrl = "http://127.0.0.1:" + peerPort;
        var process = launch("etcd", List.of(etcd.toString(), "--name", "testenv", "--data-dir",
                dir.resolve("etcd-data").toString(), "--listen-client-urls", clientUrl, "--advertise-client-urls",
                clientUrl, "--listen-peer-urls", peerUrl, "--initial-advertise-peer-urls", peerUrl,
                "--initial-cluster", "testenv=" + peerUrl, "--unsafe-no-fsync", "--log-level", "warn"));
        await("etcd health").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .ignoreExceptions().until(() -> {
                    process.assertAlive();
                    var health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(clientUrl
                            + "/health")).build(), BodyHandlers.ofString());
                    return health.body().contains("\"health\":\"true\"");
                });
        this.etcdUrl = clientUrl;
    }

    private void startApiServer(Path apiserver) {
        int port = FreePorts.next();
        KeyPair serviceAccountKey = rsaKeyPair();
        Path saKey = write("sa.key", pem("PRIVATE KEY", serviceAccountKey.getPrivate().getEncoded()));
        Path saPub = write("sa.pub", pem("PUBLIC KEY", serviceAccountKey.getPublic().getEncoded()));
        Path tokens = write("tokens.csv", adminToken + ",testenv-admin,testenv-admin,system:masters\n");
        Path certs = dir.resolve("apiserver-certs");
        var process = launch("kube-apiserver", List.of(apiserver.toString(),
                "--etcd-servers", etcdUrl,
                "--bind-address", "127.0.0.1",
                "--advertise-address", "127.0.0.1",
                "--secure-port", String.valueOf(port),
                "--cert-dir", certs.toString(),
                "--token-auth-file", tokens.toString(),
                "--authorization-mode", "RBAC",
                "--service-account-issuer", "https://kubernetes.default.svc.cluster.local",
                "--service-account-key-file", saPub.toString(),
                "--service-account-signing-key-file", saKey.toString(),
                "--service-cluster-ip-range", "10.0.0.0/24",
                "--allow-privileged=true",
                "--enable-priority-and-fairness=false",
                "--profiling=false",
                "--v=1"));
        url = "https://127.0.0.1:" + port;
        // The API server writes its self-signed certificate (with its CA) before it serves.
        Path servingCert = certs.resolve("apiserver.crt");
        await("kube-apiserver serving certificate").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200)).until(() -> {
                    process.assertAlive();
                    return Files.isRegularFile(servingCert);
                });
        caCertData = Base64.getEncoder().encodeToString(read(servingCert).getBytes(StandardCharsets.UTF_8));
        kubeconfig = write("admin.kubeconfig", kubeconfigYaml(caCertData));
        client = new KubernetesClientBuilder().withConfig(clientConfig()).build();
        await("kube-apiserver /readyz").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                .ignoreExceptions().until(() -> {
                    process.assertAlive();
                    return "ok".equals(client.raw("/readyz"));
                });
    }

    private void startControllerManager(Path controllerManager) {
        Path saKey = dir.resolve("sa.key");
        var process = launch("kube-controller-manager", List.of(controllerManager.toString(),
                "--kubeconfig", kubeconfig.toString(),
                "--secure-port", "0",
                "--leader-elect=false",
                "--controllers", CONTROLLERS,
                "--service-account-private-key-file", saKey.toString(),
                "--concurrent-deployment-syncs", "10",
                "--concurrent-replicaset-syncs", "10",
                "--kube-api-qps", "200",
                "--kube-api-burst", "400",
                "--v=1"));
        // The service-account controller is the first to act in a new cluster: its work shows the manager runs.
        await("kube-controller-manager (default ServiceAccount)").atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() -> {
                    process.assertAlive();
                    return client.serviceAccounts().inNamespace("default").withName("default").get() != null;
                });
    }

    /** {@code kubectl apply} of a manifest given as text, as a user applies a file. */
    public CommandResult apply(String yaml) {
        try {
            Path file = Files.createTempFile(dir, "manifest", ".yaml");
            try {
                Files.writeString(file, yaml, StandardCharsets.UTF_8);
                return kubectl("apply", "-f", file.toString());
            } finally {
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Applies the project's CRDs with kubectl, as users do, and waits until the API server serves them. */
    public void applyCrds() {
        kubectl("apply", "-f", Path.of("crds").toAbsolutePath().toString()).assertSuccess();
        kubectl("wait", "--for=condition=Established", "--timeout=60s",
                "crd/haproxyconsulbindings.haproxyconsul.io").assertSuccess();
    }

    /**
     * Installs the operator's namespace, service account and RBAC from {@code deploy/base} (not its Deployment:
     * tests run the operator themselves) and returns a token of that service account.
     */
    public String operatorToken() {
        Path base = Path.of("deploy", "base").toAbsolutePath();
        kubectl("apply", "-f", base.resolve("namespace.yaml").toString()).assertSuccess();
        kubectl("apply", "-n", OPERATOR_NAMESPACE, "-f", base.resolve("serviceaccount.yaml").toString(), "-f",
                base.resolve("rbac.yaml").toString()).assertSuccess();
        return kubectl("create", "token", OPERATOR_NAMESPACE, "-n", OPERATOR_NAMESPACE, "--duration=6h")
                .assertSuccess().output().strip();
    }

    private String kubeconfigYaml(String caData) {
        return """
                apiVersion: v1
                kind: Config
                clusters:
                - name: testenv
                  cluster:
                    server: %s
                    certificate-authority-data: %s
                users:
                - name: testenv-admin
                  user:
                    token: %s
                contexts:
                - name: testenv
                  context:
                    cluster: testenv
                    user: testenv-admin
                    namespace: default
                current-context: testenv
                """.formatted(url, caData, adminToken);
    }

    private ManagedProcess launch(String name, List<String> command) {
        var process = ManagedProcess.start(name, command, dir, Map.of());
        processes.add(process);
        return process;
    }

    private Path write(String name, String content) {
        try {
            return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static KeyPair rsaKeyPair() {
        try {
            var generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    @Override
    public void close() {
        if (kubelet != null) {
            kubelet.close();
        }
        if (client != null) {
            client.close();
        }
        // Reverse order: the controller manager and API server go before their etcd.
        for (int i = processes.size() - 1; i >= 0; i--) {
            processes.get(i).stop(Duration.ofSeconds(15));
        }
        TempDirs.delete(dir);
    }
}
