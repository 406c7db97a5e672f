package io.haproxyconsul.operator.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.haproxyconsul.operator.owned.OwnedObjects;
import io.haproxyconsul.operator.reconciler.BindingFixture;
import io.haproxyconsul.operator.testenv.BackendServer;
import io.haproxyconsul.operator.testenv.CommandResult;
import io.haproxyconsul.operator.testenv.ConsulAgent;
import io.haproxyconsul.operator.testenv.ControlPlane;
import io.haproxyconsul.operator.testenv.ControlPlaneExtension;
import io.haproxyconsul.operator.testenv.Helm;
import io.haproxyconsul.operator.testenv.HttpProbe;
import io.haproxyconsul.operator.testenv.OperatorImage;
import io.haproxyconsul.operator.testenv.RealParts;
import io.haproxyconsul.operator.testenv.RealParts.Part;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator as users run it: its image (built from Dockerfile.jvm) in pods on the real node, installed by
 * {@code helm install} and by {@code kubectl apply -k} of each overlay, with the chart's or the base's RBAC,
 * reconciling a binding into HAProxy pods that serve through their Service. With deploy/base's two replicas,
 * deleting the leader's pod in the middle of a rollout leaves the other to finish it.
 *
 * <p>Its own JVM (the {@code in-cluster} failsafe execution): no operator of the other tests may run beside it.
 */
@Tag("in-cluster")
@ExtendWith(ControlPlaneExtension.WithNode.class)
class InClusterOperatorIT {

    /** Under the two minutes a kubectl command is given. */
    private static final Duration INSTALL = Duration.ofSeconds(110);
    private static final Duration TAKEOVER = Duration.ofMinutes(3);
    private static final String BASE_NAMESPACE = ControlPlane.OPERATOR_NAMESPACE;
    private static final String LEASE = "haproxy-consul-operator";

    private static ControlPlane plane;
    private static ConsulAgent consul;
    private static Helm helm;
    @TempDir
    static Path work;
    private final List<BackendServer> backends = new ArrayList<>();

    @BeforeAll
    static void operatorImage(ControlPlane controlPlane) {
        plane = controlPlane;
        plane.applyCrds();
        helm = new Helm(plane, work);
        consul = ConsulAgent.startReachableAt(RealParts.require(Part.CONSUL), plane.address());
        OperatorImage.importInto(plane.node());
    }

    @AfterAll
    static void stopConsul() {
        if (consul != null) {
            consul.close();
        }
    }

    @AfterEach
    void stopBackends() {
        backends.forEach(BackendServer::close);
    }

    @Test
    void helmInstallRunsTheOperatorThatServesABindingThroughItsFleet() {
        String namespace = "hco-helm";
        try {
            var install = helm.run("install", "hco", Helm.CHART.toString(), "-n", namespace, "--create-namespace",
                    "--wait", "--timeout", INSTALL.toSeconds() + "s");
            assertThat(install.exitCode()).as(() -> install.output() + operatorDiagnostics(namespace)).isZero();
            assertThat(operatorPods(namespace)).hasSize(2).allSatisfy(pod -> assertThat(ready(pod)).isTrue());

            servesABinding("helm", "helm");
        } finally {
            helm.run("uninstall", "hco", "-n", namespace, "--wait");
        }
    }

    @Test
    void theSingleNamespaceOverlayRunsTheOperatorForItsOwnNamespace() {
        var overlay = overlay("single-namespace");
        try {
            kubectl("apply", "-k", overlay).assertSuccess();
            awaitRolledOut();

            servesABinding("single", BASE_NAMESPACE);
        } finally {
            kubectl("delete", "-k", overlay, "--wait=true", "--timeout=110s");
        }
    }

    /**
     * The all-namespaces overlay's two replicas: the leader's pod goes in the middle of a fleet's rollout (a new
     * structure), and again right after a new instance registers (a server change for the running pods).
     */
    @Test
    void theAllNamespacesOverlaysStandbyFinishesARolloutAndAServerChangeWhenTheLeadersPodIsDeleted() {
        var overlay = overlay("all-namespaces");
        try {
            kubectl("apply", "-k", overlay).assertSuccess();
            awaitRolledOut();
            String leader = awaitLeader(null);
            var edge = servesABinding("takeover", "takeover");
            String first = edge.binding().getStatus().currentConfig.hash;

            consul.kvPut("takeover/haproxy/maxconn", "3000");
            await("the rollout of the next configuration has started").atMost(TAKEOVER).untilAsserted(() -> {
                var status = edge.binding().getStatus();
                assertThat(status.currentConfig.hash).isNotEqualTo(first);
                assertThat(templateHash(edge)).isEqualTo(status.currentConfig.hash);
            });
            String second = edge.binding().getStatus().currentConfig.hash;
            kubectl("delete", "pod", "-n", BASE_NAMESPACE, leader, "--wait=false").assertSuccess();

            String next = awaitLeader(leader);
            await("the new leader finishes the rollout").atMost(TAKEOVER).untilAsserted(() -> {
                var status = edge.binding().getStatus();
                assertThat(status.lastKnownGoodConfig.hash).isEqualTo(second);
                assertThat(edge.condition("RolledOut")).hasValueSatisfying(c -> assertThat(c.getStatus())
                        .isEqualTo("True"));
            });
            assertThat(plane.client().apps().replicaSets().inNamespace(edge.namespace).list().getItems()).hasSize(2);

            // Killed this time, not asked to stop: mid-change, before it can have finished bringing the pods up.
            register("takeover", "takeover-2");
            kubectl("delete", "pod", "-n", BASE_NAMESPACE, next, "--grace-period=0", "--force", "--wait=false")
                    .assertSuccess();
            awaitLeader(next);
            await("takeover-2 answers through the fleet's Service").atMost(TAKEOVER)
                    .ignoreExceptions().until(() -> get(edge, "takeover.takeover.test").startsWith(
                            "identity=takeover-2 "));
            await("every pod serves it").atMost(TAKEOVER).untilAsserted(() -> {
                var status = edge.binding().getStatus();
                assertThat(status.currentConfig.servers).isEqualTo(2);
                assertThat(status.fleet.syncedReplicas).isEqualTo(3);
                assertThat(status.fleet.podConfig.hash).isEqualTo(second);
            });
            assertThat(plane.client().apps().replicaSets().inNamespace(edge.namespace).list().getItems())
                    .as("no extra rollout").hasSize(2);
        } finally {
            kubectl("delete", "-k", overlay, "--wait=true", "--timeout=110s");
        }
    }

    /** A binding with a two-pod fleet, served through its Service's ClusterIP from the Consul the pods reach. */
    private BindingFixture servesABinding(String name, String namespace) {
        register(name, name + "-1");
        var edge = namespace.equals(BASE_NAMESPACE) ? BindingFixture.inExistingNamespace(plane, name, namespace)
                : new BindingFixture(plane, name);
        edge.apply("""
                  consul:
                    address: %s
                  services:
                    include: ["%s"]
                  routing:
                    domain: %s.test
                  kv:
                    prefix: %s/haproxy
                  rollout:
                    debounce: {min: 100ms, max: 500ms}
                  fleet:
                    replicas: 3
                """.formatted(consul.httpAddressOn(plane.address()), name, name, name));
        edge.awaitReady(INSTALL);
        assertThat(get(edge, name + "." + name + ".test")).startsWith("identity=" + name + "-1 ");
        return edge;
    }

    private void register(String service, String id) {
        var backend = BackendServer.start(id, plane.address());
        backends.add(backend);
        consul.registerService(service, id, List.of("http"), plane.address(), backend.port());
    }

    private String get(BindingFixture edge, String host) {
        var service = plane.client().services().inNamespace(edge.namespace).withName(edge.name + "-haproxy").get();
        return HttpProbe.get(service.getSpec().getClusterIP(), service.getSpec().getPorts().get(0).getPort(), host,
                "/", null).body();
    }

    private String awaitLeader(String notThisOne) {
        return await("an operator pod other than " + notThisOne + " holds the Lease").atMost(TAKEOVER)
                .ignoreExceptions().until(() -> {
                    var lease = plane.client().leases().inNamespace(BASE_NAMESPACE).withName(LEASE).get();
                    String holder = lease.getSpec().getHolderIdentity();
                    return operatorPods(BASE_NAMESPACE).stream().anyMatch(p -> p.getMetadata().getName().equals(
                            holder) && p.getMetadata().getDeletionTimestamp() == null) ? holder : null;
                }, holder -> holder != null && !holder.equals(notThisOne));
    }

    private void awaitRolledOut() {
        var status = kubectl("rollout", "status", "-n", BASE_NAMESPACE, "deployment/haproxy-consul-operator",
                "--timeout=" + INSTALL.toSeconds() + "s");
        if (status.exitCode() != 0) {
            throw new AssertionError(status.output() + operatorDiagnostics(BASE_NAMESPACE));
        }
    }

    /** What a user would look at when the operator's pods do not come up: their state and their logs. */
    private String operatorDiagnostics(String namespace) {
        var text = new StringBuilder("\n--- kubectl get pods:\n").append(kubectl("get", "pods", "-n", namespace,
                "-o", "wide").output());
        for (var pod : operatorPods(namespace)) {
            text.append("\n--- kubectl logs ").append(pod.getMetadata().getName()).append(":\n").append(kubectl(
                    "logs", "-n", namespace, pod.getMetadata().getName(), "--tail=40").output());
        }
        return text.toString();
    }

    private String templateHash(BindingFixture edge) {
        return plane.client().apps().deployments().inNamespace(edge.namespace).withName(edge.name + "-haproxy").get()
                .getSpec().getTemplate().getMetadata().getAnnotations().get(OwnedObjects.CONFIG_HASH_ANNOTATION);
    }

    private List<Pod> operatorPods(String namespace) {
        return plane.client().pods().inNamespace(namespace).withLabel("app.kubernetes.io/name",
                "haproxy-consul-operator").list().getItems();
    }

    private static String overlay(String name) {
        return Path.of("deploy", "overlays", name).toAbsolutePath().toString();
    }

    private static CommandResult kubectl(String... args) {
        return plane.kubectl(args);
    }

    private static boolean ready(Pod pod) {
        return pod.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }
}
