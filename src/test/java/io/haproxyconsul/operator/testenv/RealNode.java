package io.haproxyconsul.operator.testenv;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Node;
import io.haproxyconsul.operator.testenv.RealParts.Image;
import io.haproxyconsul.operator.testenv.RealParts.Part;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A real Kubernetes node beside a {@link ControlPlane}: containerd with runc and the CNI bridge, a kubelet,
 * kube-proxy (nftables) and kube-scheduler, on a bridge of its own. Pods run for real; their and the Services'
 * traffic stays on this machine ({@code hack/node.sh} drops forwarding between the bridge and anything else).
 *
 * <p>Its host names are fixed ({@code hack/node.sh settings}), so there is one node per machine: a lock file says
 * which process has it, and every start first removes whatever a run killed half-way left behind. Closing it (or
 * the JVM's end) stops its processes and pods and removes every trace: processes, network namespaces, bridge,
 * route, nft tables, cgroups, mounts.
 */
public final class RealNode implements AutoCloseable {

    public static final String NAME = "hco-node";
    static final Path SCRIPT = Path.of("hack", "node.sh");
    /** The HAProxy 2.6 image also answers to spec.fleet.image's default, whose contract it keeps. */
    public static final String DEFAULT_FLEET_IMAGE = "docker.io/library/haproxy:2.6";
    public static final String HAPROXY_2_6 = "localhost/haproxy-consul-operator/haproxy:2.6";
    public static final String HAPROXY_3_0 = "localhost/haproxy-consul-operator/haproxy:3.0";

    private final Host host;
    private final Path logs;
    private final List<ManagedProcess> processes = new ArrayList<>();
    private final Thread cleanupAtExit;
    private Path containerdSocket;

    private RealNode(Host host, Path logs) {
        this.host = host;
        this.logs = logs;
        this.cleanupAtExit = new Thread(host::clean, "real-node-cleanup");
    }

    /** The host side, before the control plane starts: the API server listens on the node's bridge. */
    static Host prepareHost() {
        RealParts.requireAll(Part.KUBELET, Part.KUBE_PROXY, Part.KUBE_SCHEDULER, Part.CONTAINERD,
                Part.CONTAINERD_SHIM, Part.CTR, Part.RUNC, Part.CNI_BRIDGE, Part.CNI_HOST_LOCAL, Part.CNI_LOOPBACK);
        for (var image : Image.values()) {
            RealParts.require(image);
        }
        return Host.acquire();
    }

    /** Starts the node's processes against the plane (which listens on {@link Host#bridgeAddress()}). */
    static RealNode start(Host host, ControlPlane plane) {
        var node = new RealNode(host, host.logs());
        Runtime.getRuntime().addShutdownHook(node.cleanupAtExit);
        try {
            node.startContainerd();
            node.importImages();
            node.startKubelet(plane);
            node.startKubeProxy(plane);
            node.startScheduler(plane);
            node.awaitReady(plane);
            return node;
        } catch (RuntimeException | Error e) {
            node.close();
            throw e;
        }
    }

    public Host host() {
        return host;
    }

    /** Imports an image archive (e.g. the operator's, from {@code hack/images.sh operator}) into the node. */
    public void importImage(Path archive, String... extraNames) {
        ctr("images", "import", "--snapshotter", "overlayfs", archive.toString());
        String name = imageName(archive);
        for (String extra : extraNames) {
            ctr("images", "tag", "--force", name, extra);
        }
    }

    private void startContainerd() {
        Path root = host.root().resolve("containerd");
        containerdSocket = root.resolve("containerd.sock");
        Path cniConf = host.root().resolve("cni/net.d");
        write(cniConf.resolve("10-" + host.cniNetwork() + ".conflist"), """
                {"cniVersion": "1.0.0", "name": "%s", "plugins": [{
                  "type": "bridge", "bridge": "%s", "isGateway": true, "isDefaultGateway": true, "ipMasq": false,
                  "hairpinMode": true,
                  "ipam": {"type": "host-local", "dataDir": "%s",
                           "ranges": [[{"subnet": "%s", "rangeStart": "%s", "gateway": "%s"}]]}}]}
                """.formatted(host.cniNetwork(), host.bridge(), host.root().resolve("cni/ipam"), host.podCidr(),
                rangeStart(host.bridgeAddress()), host.bridgeAddress()));
        Path config = write(root.resolve("config.toml"), """
                version = 3
                root = "%1$s/root"
                state = "%1$s/state"
                [grpc]
                  address = "%2$s"
                [ttrpc]
                  address = "%2$s.ttrpc"
                [plugins]
                  [plugins.'io.containerd.nri.v1.nri']
                    disable = true
                  [plugins.'io.containerd.cri.v1.images']
                    snapshotter = 'overlayfs'
                    [plugins.'io.containerd.cri.v1.images'.pinned_images]
                      sandbox = '%3$s'
                  [plugins.'io.containerd.cri.v1.runtime']
                    # No CAP_SYS_RESOURCE on this VM: runc may not lower oom_score_adj.
                    restrict_oom_score_adj = true
                    # Network namespaces under the node's folder, so that clean-up finds them.
                    netns_mounts_under_state_dir = true
                    [plugins.'io.containerd.cri.v1.runtime'.containerd]
                      default_runtime_name = 'runc'
                      [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
                        runtime_type = 'io.containerd.runc.v2'
                        [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
                          BinaryName = '%4$s'
                          Root = '%1$s/runc'
                    [plugins.'io.containerd.cri.v1.runtime'.cni]
                      bin_dirs = ['%5$s']
                      conf_dir = '%6$s'
                  [plugins.'io.containerd.grpc.v1.cri']
                    stream_server_address = '127.0.0.1'
                """.formatted(root, containerdSocket, pauseImage(), RealParts.require(Part.RUNC),
                RealParts.require(Part.CNI_BRIDGE).getParent(), cniConf));
        Path bin = RealParts.require(Part.CONTAINERD).getParent();
        var containerd = launch("containerd", List.of(RealParts.require(Part.CONTAINERD).toString(), "--config",
                config.toString(), "--log-level", "warn"), Map.of("PATH", bin + ":" + System.getenv("PATH")));
        await("containerd").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            containerd.assertAlive();
            return Files.exists(containerdSocket) && ctrRun("version").exitCode() == 0;
        });
    }

    private void importImages() {
        importImage(RealParts.require(Image.HCO_IMAGE_PAUSE));
        importImage(RealParts.require(Image.HCO_IMAGE_HAPROXY_2_6), DEFAULT_FLEET_IMAGE);
        importImage(RealParts.require(Image.HCO_IMAGE_HAPROXY_3_0));
    }

    private void startKubelet(ControlPlane plane) {
        Path dir = host.root().resolve("kubelet");
        Path kubeconfig = write(dir.resolve("kubeconfig"), plane.kubeconfigFor("kubelet", plane.nodeToken()));
        host.createCgroupRoot();
        Path config = write(dir.resolve("config.yaml"), """
                apiVersion: kubelet.config.k8s.io/v1beta1
                kind: KubeletConfiguration
                address: %1$s
                port: %2$d
                readOnlyPort: 0
                healthzPort: 0
                authentication:
                  anonymous: {enabled: false}
                  webhook: {enabled: true}
                  x509: {clientCAFile: %3$s}
                authorization: {mode: Webhook}
                containerRuntimeEndpoint: unix://%4$s
                # This VM: cgroup v1 without systemd, no swap accounting, no CAP_SYS_RESOURCE.
                cgroupDriver: cgroupfs
                cgroupRoot: /%5$s
                failCgroupV1: false
                failSwapOn: false
                oomScoreAdj: 0
                podLogsDir: %6$s
                resolvConf: /etc/resolv.conf
                serializeImagePulls: false
                # Images are imported, never pulled: none may be collected.
                imageGCHighThresholdPercent: 100
                imageGCLowThresholdPercent: 99
                evictionHard: {memory.available: 100Mi, nodefs.available: 1%%, imagefs.available: 1%%}
                kubeAPIQPS: 100
                kubeAPIBurst: 200
                # ConfigMap volumes follow their ConfigMap within seconds.
                syncFrequency: 10s
                """.formatted(host.bridgeAddress(), FreePorts.next(), plane.kubeletClientCa(), containerdSocket,
                host.cgroupRoot(), host.root().resolve("pod-logs")));
        launch("kubelet", List.of(RealParts.require(Part.KUBELET).toString(), "--config", config.toString(),
                "--kubeconfig", kubeconfig.toString(), "--root-dir", dir.resolve("root").toString(), "--cert-dir",
                dir.resolve("pki").toString(), "--node-ip", host.bridgeAddress(), "--hostname-override", NAME,
                "--v=1"), Map.of());
    }

    private void startKubeProxy(ControlPlane plane) {
        Path dir = host.root().resolve("kube-proxy");
        Path kubeconfig = write(dir.resolve("kubeconfig"), plane.kubeconfigFor("kube-proxy",
                plane.kubeProxyToken()));
        Path config = write(dir.resolve("config.yaml"), """
                apiVersion: kubeproxy.config.k8s.io/v1alpha1
                kind: KubeProxyConfiguration
                clientConnection: {kubeconfig: %s}
                mode: nftables
                clusterCIDR: %s
                hostnameOverride: %s
                healthzBindAddress: 127.0.0.1:%d
                metricsBindAddress: 127.0.0.1:%d
                nodePortAddresses: ["%s/32"]
                # Leave the host's conntrack settings alone.
                conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
                """.formatted(kubeconfig, host.podCidr(), NAME, FreePorts.next(), FreePorts.next(),
                host.bridgeAddress()));
        launch("kube-proxy", List.of(RealParts.require(Part.KUBE_PROXY).toString(), "--config", config.toString(),
                "--v=1"), Map.of());
    }

    private void startScheduler(ControlPlane plane) {
        Path kubeconfig = write(host.root().resolve("kube-scheduler/kubeconfig"),
                plane.kubeconfigFor("kube-scheduler", plane.schedulerToken()));
        launch("kube-scheduler", List.of(RealParts.require(Part.KUBE_SCHEDULER).toString(), "--kubeconfig",
                kubeconfig.toString(), "--authentication-kubeconfig", kubeconfig.toString(),
                "--authorization-kubeconfig", kubeconfig.toString(), "--leader-elect=false", "--bind-address",
                "127.0.0.1", "--secure-port", String.valueOf(FreePorts.next()), "--v=1"), Map.of());
    }

    private void awaitReady(ControlPlane plane) {
        await("node " + NAME + " Ready").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                .ignoreExceptions().until(() -> {
                    processes.forEach(ManagedProcess::assertAlive);
                    Node node = plane.client().nodes().withName(NAME).get();
                    return node != null && node.getStatus().getConditions().stream().anyMatch(c -> "Ready".equals(
                            c.getType()) && "True".equals(c.getStatus())) && (node.getSpec().getTaints() == null
                                    || node.getSpec().getTaints().isEmpty());
                });
    }

    private String pauseImage() {
        return imageName(RealParts.require(Image.HCO_IMAGE_PAUSE));
    }

    /** The name an archive of hack/images.sh holds: {@code <name>-<tag>-...} to the reference inside it. */
    private static String imageName(Path archive) {
        var result = CommandResult.run(List.of("tar", "-xOf", archive.toString(), "index.json"), Path.of("."),
                Duration.ofSeconds(30)).assertSuccess();
        var matcher = java.util.regex.Pattern.compile("\"org\\.opencontainers\\.image\\.ref\\.name\"\\s*:\\s*\"([^\"]+)\"")
                .matcher(result.output());
        if (!matcher.find()) {
            throw new IllegalStateException(archive + " names no image: " + result.output());
        }
        return matcher.group(1);
    }

    private static String rangeStart(String gateway) {
        return gateway.substring(0, gateway.lastIndexOf('.')) + ".10";
    }

    private CommandResult ctrRun(String... args) {
        var command = new ArrayList<>(List.of(RealParts.require(Part.CTR).toString(), "--address",
                containerdSocket.toString(), "-n", "k8s.io"));
        command.addAll(List.of(args));
        return CommandResult.run(command, logs, Duration.ofMinutes(2));
    }

    private void ctr(String... args) {
        ctrRun(args).assertSuccess();
    }

    private ManagedProcess launch(String name, List<String> command, Map<String, String> env) {
        var process = ManagedProcess.start(name, command, logs, env);
        processes.add(process);
        return process;
    }

    private static Path write(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            return Files.writeString(file, content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the node's processes (pods go with clean-up) and removes everything the node made. */
    @Override
    public void close() {
        // The kubelet first, so that it restarts nothing while containerd's containers are stopped.
        for (int i = processes.size() - 1; i >= 0; i--) {
            processes.get(i).stop(Duration.ofSeconds(10));
        }
        host.clean();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanupAtExit);
        } catch (IllegalStateException alreadyShuttingDown) {
            // The hook runs, and finds nothing left to remove.
        }
    }

    /**
     * The machine's side of the node: the lock that makes it this process's, and {@code hack/node.sh}'s fixed
     * names, network set-up and clean-up.
     */
    public static final class Host implements AutoCloseable {

        private final Map<String, String> settings;
        private final FileChannel lockFile;
        private final FileLock lock;
        private final Path logs;

        private Host(Map<String, String> settings, FileChannel lockFile, FileLock lock, Path logs) {
            this.settings = settings;
            this.lockFile = lockFile;
            this.lock = lock;
            this.logs = logs;
        }

        static Host acquire() {
            var settings = parse(script("settings").assertSuccess().output());
            Path lockPath = Path.of(settings.get("NODE_ROOT") + ".lock");
            try {
                var channel = FileChannel.open(lockPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock;
                try {
                    lock = channel.tryLock();
                } catch (OverlappingFileLockException e) {
                    channel.close();
                    throw new IllegalStateException("this JVM runs the real node already (" + lockPath + "): share "
                            + "its ControlPlane (OperatorEnvironment, ControlPlaneExtension.WithNode) rather than "
                            + "starting another", e);
                }
                if (lock == null) {
                    channel.close();
                    throw new IllegalStateException("another process runs the real node (" + lockPath
                            + " is locked): the demo or another test run? One node per machine");
                }
                Path logs = Path.of("target", "real-node").toAbsolutePath();
                TempDirs.delete(logs);
                Files.createDirectories(logs);
                var host = new Host(settings, channel, lock, logs);
                host.clean();
                script("net-up").assertSuccess();
                return host;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        public Path root() {
            return Path.of(settings.get("NODE_ROOT"));
        }

        public String bridge() {
            return settings.get("BRIDGE");
        }

        /** The node's address on its bridge: where the API server, Consul and backends listen for pods. */
        public String bridgeAddress() {
            return settings.get("BRIDGE_ADDRESS");
        }

        public String podCidr() {
            return settings.get("POD_CIDR");
        }

        public String serviceCidr() {
            return settings.get("SERVICE_CIDR");
        }

        String cgroupRoot() {
            return settings.get("CGROUP_ROOT");
        }

        String cniNetwork() {
            return settings.get("CNI_NETWORK");
        }

        /** Where the node's processes write their logs (kept after the run, for failures). */
        public Path logs() {
            return logs;
        }

        void createCgroupRoot() {
            script("cgroup-root").assertSuccess();
        }

        void clean() {
            script("clean").assertSuccess();
        }

        private static CommandResult script(String command) {
            return CommandResult.run(List.of("bash", SCRIPT.toAbsolutePath().toString(), command), Path.of("."),
                    Duration.ofMinutes(2));
        }

        private static Map<String, String> parse(String lines) {
            return lines.lines().filter(l -> l.contains("=")).collect(Collectors.toMap(l -> l.substring(0,
                    l.indexOf('=')), l -> l.substring(l.indexOf('=') + 1), (a, b) -> b, LinkedHashMap::new));
        }

        /** Releases the machine's node (after {@link RealNode#close()} has cleaned it). */
        @Override
        public void close() {
            if (!lockFile.isOpen()) {
                return;
            }
            try {
                lock.release();
                lockFile.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
