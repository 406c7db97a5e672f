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
 * A real Kubernetes control plane: etcd, kube-apiserver (RBAC, static tokens, its own serving certificate) and
 * kube-controller-manager (Deployments, ReplicaSets, garbage collection, namespaces, service accounts). What
 * envtest does, with a controller manager so that Deployments roll and owners' deletions cascade. {@link #start()}
 * serves on loopback and runs no pods; {@link #startWithNode()} adds a {@link RealNode} and serves on the node's
 * bridge, where pods (an operator in a pod, say) reach it through the {@code kubernetes} Service.
 */
public final class ControlPlane implements AutoCloseable {

    /** The controllers an operator's objects need. */
    static final String CONTROLLERS = "deployment-controller,replicaset-controller,garbage-collector-controller,"
            + "namespace-controller,serviceaccount-controller,endpointslice-controller,disruption-controller";
    /** And those of a node: its taints and pods' garbage, the CA that pods' service-account tokens come with. */
    static final String NODE_CONTROLLERS = ",node-lifecycle-controller,pod-garbage-collector-controller,"
            + "root-ca-certificate-publisher-controller";

    /** How a test takes the API server away. */
    public enum ApiServerOutage {
        /** SIGTERM, as a control-plane upgrade stops it: it stops listening, drains and exits in its own time. */
        SHUTDOWN,
        /** SIGKILL, as a crash: the kernel closes its sockets, new connections are refused. */
        CRASH,
        /** SIGSTOP, as a hung host or a partition: connections stay open and nothing answers. */
        FREEZE
    }

    /** The namespace and service account name of deploy/base. */
    public static final String OPERATOR_NAMESPACE = "haproxy-consul-operator";

    private final Path dir;
    private final List<ManagedProcess> processes = new ArrayList<>();
    private final String adminToken = UUID.randomUUID().toString();
    private final String nodeToken = UUID.randomUUID().toString();
    private final String kubeProxyToken = UUID.randomUUID().toString();
    private final String schedulerToken = UUID.randomUUID().toString();
    private final RealNode.Host nodeHost;
    private RealNode node;
    private List<String> apiServerCommand;
    private ManagedProcess apiServer;
    private ApiServerOutage outage;
    private Path kubeletClientCa;
    private String etcdUrl;
    private String url;
    private String caCertData;
    private Path kubeconfig;
    private KubernetesClient client;

    private ControlPlane(Path dir, RealNode.Host nodeHost) {
        this.dir = dir;
        this.nodeHost = nodeHost;
    }

    /** On loopback, without a node: pods stay Pending. */
    public static ControlPlane start() {
        return start(null);
    }

    /** With a real node that runs pods. */
    public static ControlPlane startWithNode() {
        var host = RealNode.prepareHost();
        try {
            var plane = start(host);
            try {
                plane.node = RealNode.start(host, plane);
            } catch (RuntimeException | Error e) {
                plane.close();
                throw e;
            }
            return plane;
        } catch (RuntimeException | Error e) {
            host.clean();
            host.close();
            throw e;
        }
    }

    private static ControlPlane start(RealNode.Host host) {
        var parts = RealParts.requireAll(Part.ETCD, Part.KUBE_APISERVER, Part.KUBE_CONTROLLER_MANAGER, Part.KUBECTL);
        var plane = new ControlPlane(TempDirs.create("control-plane"), host);
        try {
            plane.startEtcd(parts.get(Part.ETCD));
            plane.startApiServer(parts.get(Part.KUBE_APISERVER));
            plane.startControllerManager(parts.get(Part.KUBE_CONTROLLER_MANAGER));
            return plane;
        } catch (RuntimeException | Error e) {
            plane.closeProcesses();
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

    /** The node, for a plane started {@link #startWithNode() with one}. */
    public RealNode node() {
        if (node == null) {
            throw new IllegalStateException("this control plane has no node: start it with startWithNode()");
        }
        return node;
    }

    /** The address it serves on: loopback, or the node's bridge where pods reach it too. */
    public String address() {
        return nodeHost == null ? "127.0.0.1" : nodeHost.bridgeAddress();
    }

    String nodeToken() {
        return nodeToken;
    }

    String kubeProxyToken() {
        return kubeProxyToken;
    }

    String schedulerToken() {
        return schedulerToken;
    }

    /** The CA of the client certificate the API server shows kubelets (for logs and exec). */
    Path kubeletClientCa() {
        return kubeletClientCa;
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
        Path tokens = write("tokens.csv", adminToken + ",testenv-admin,testenv-admin,system:masters\n"
                + nodeToken + ",system:node:" + RealNode.NAME + ",node," + "system:nodes\n"
                + kubeProxyToken + ",system:kube-proxy,kube-proxy\n"
                + schedulerToken + ",system:kube-scheduler,kube-scheduler\n");
        Path certs = dir.resolve("apiserver-certs");
        var command = new ArrayList<>(List.of(apiserver.toString(),
                "--etcd-servers", etcdUrl,
                "--bind-address", address(),
                "--advertise-address", address(),
                "--secure-port", String.valueOf(port),
                "--cert-dir", certs.toString(),
                "--token-auth-file", tokens.toString(),
                "--service-account-issuer", "https://kubernetes.default.svc.cluster.local",
                "--service-account-key-file", saPub.toString(),
                "--service-account-signing-key-file", saKey.toString(),
                "--service-cluster-ip-range", nodeHost == null ? "10.0.0.0/24" : nodeHost.serviceCidr(),
                "--allow-privileged=true",
                "--enable-priority-and-fairness=false",
                "--profiling=false",
                "--v=1"));
        if (nodeHost == null) {
            command.addAll(List.of("--authorization-mode", "RBAC"));
        } else {
            kubeletClientCa = KubeletClientCertificate.create(dir.resolve("kubelet-client"));
            command.addAll(List.of("--authorization-mode", "Node,RBAC",
                    "--enable-admission-plugins", "NodeRestriction",
                    "--kubelet-client-certificate", dir.resolve("kubelet-client/client.crt").toString(),
                    "--kubelet-client-key", dir.resolve("kubelet-client/client.key").toString(),
                    "--kubelet-preferred-address-types", "InternalIP"));
        }
        apiServerCommand = List.copyOf(command);
        var process = launch("kube-apiserver", command);
        apiServer = process;
        url = "https://" + address() + ":" + port;
        // The API server writes its self-signed certificate (with its CA) before it serves.
        Path servingCert = certs.resolve("apiserver.crt");
        await("kube-apiserver serving certificate").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200)).until(() -> {
                    process.assertAlive();
                    return Files.isRegularFile(servingCert);
                });
        caCertData = Base64.getEncoder().encodeToString(read(servingCert).getBytes(StandardCharsets.UTF_8));
        kubeconfig = write("admin.kubeconfig", kubeconfigFor("testenv-admin", adminToken));
        client = new KubernetesClientBuilder().withConfig(clientConfig()).build();
        awaitReady(process);
    }

    private void awaitReady(ManagedProcess process) {
        await("kube-apiserver /readyz").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                .ignoreExceptions().until(() -> {
                    process.assertAlive();
                    return "ok".equals(client.raw("/readyz"));
                });
    }

    /** Takes the API server away (etcd and the controller manager stay) until {@link #resumeApiServer()}. */
    public void interruptApiServer(ApiServerOutage how) {
        if (outage != null) {
            throw new IllegalStateException("the API server is already away: " + outage);
        }
        outage = how;
        switch (how) {
            case SHUTDOWN -> apiServer.signal("TERM");
            case CRASH -> apiServer.kill();
            case FREEZE -> apiServer.signal("STOP");
        }
    }

    /**
     * Brings the API server back after {@link #interruptApiServer}: the frozen one goes on, a stopped one starts
     * again on the same address with the same certificate and data. Returns once it is ready; does nothing when
     * it is not away.
     */
    public void resumeApiServer() {
        if (outage == null) {
            return;
        }
        if (outage == ApiServerOutage.FREEZE) {
            apiServer.signal("CONT");
        } else {
            apiServer.stop(Duration.ofSeconds(60));
            int index = processes.indexOf(apiServer);
            apiServer = ManagedProcess.start("kube-apiserver-resumed", apiServerCommand, dir, Map.of());
            processes.set(index, apiServer);
        }
        outage = null;
        awaitReady(apiServer);
    }

    private void startControllerManager(Path controllerManager) {
        Path saKey = dir.resolve("sa.key");
        var process = launch("kube-controller-manager", List.of(controllerManager.toString(),
                "--kubeconfig", kubeconfig.toString(),
                "--secure-port", "0",
                "--leader-elect=false",
                "--controllers", nodeHost == null ? CONTROLLERS : CONTROLLERS + NODE_CONTROLLERS,
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

    /** A kubeconfig for another user of this API server, by bearer token. */
    String kubeconfigFor(String user, String token) {
        return """
                apiVersion: v1
                kind: Config
                clusters:
                - name: testenv
                  cluster:
                    server: %s
                    certificate-authority-data: %s
                users:
                - name: %s
                  user:
                    token: %s
                contexts:
                - name: testenv
                  context:
                    cluster: testenv
                    user: %s
                    namespace: default
                current-context: testenv
                """.formatted(url, caCertData, user, token, user);
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
        try {
            if (node != null) {
                node.close();
            }
            closeProcesses();
        } finally {
            if (nodeHost != null) {
                nodeHost.close();
            }
        }
    }

    private void closeProcesses() {
        if (outage == ApiServerOutage.FREEZE) {
            apiServer.signal("CONT");
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
