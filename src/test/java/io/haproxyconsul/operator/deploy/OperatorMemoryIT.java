package io.haproxyconsul.operator.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.haproxyconsul.operator.reconciler.BindingFixture;
import io.haproxyconsul.operator.testenv.ConsulAgent;
import io.haproxyconsul.operator.testenv.ControlPlane;
import io.haproxyconsul.operator.testenv.ControlPlaneExtension;
import io.haproxyconsul.operator.testenv.OperatorImage;
import io.haproxyconsul.operator.testenv.RealParts;
import io.haproxyconsul.operator.testenv.RealParts.Part;
import io.haproxyconsul.operator.testenv.SyntheticCatalog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operator's pods as deploy/ ships them (image, JVM settings, memory limit) through a catalog of 5,000
 * services of 10 instances: the first configuration (4 MB, published compressed), structural changes that it checks
 * with {@code haproxy -c} inside its container and server changes that it does not. No container of theirs is
 * OOM-killed or restarted.
 *
 * <p>In the {@code in-cluster} failsafe execution, with its own Consul: the check list of 50,000 instances would
 * slow every other operator test's Consul.
 */
@Tag("in-cluster")
@ExtendWith(ControlPlaneExtension.WithNode.class)
class OperatorMemoryIT {

    private static final Logger LOG = Logger.getLogger(OperatorMemoryIT.class);
    private static final String NAMESPACE = ControlPlane.OPERATOR_NAMESPACE;
    private static final Duration FIRST_CONFIG = Duration.ofMinutes(5);
    private static final Duration CHANGE = Duration.ofMinutes(3);

    @Test
    void theShippedMemoryLimitHoldsAFiveThousandByTenCatalog(ControlPlane plane) {
        plane.applyCrds();
        OperatorImage.importInto(plane.node());
        var overlay = Path.of("deploy", "overlays", "single-namespace").toAbsolutePath().toString();
        try (var consul = ConsulAgent.startReachableAt(RealParts.require(Part.CONSUL), plane.address())) {
            consul.registerInCatalog(SyntheticCatalog.of(5000, 10, List.of()));
            plane.kubectl("apply", "-k", overlay).assertSuccess();
            plane.kubectl("rollout", "status", "-n", NAMESPACE, "deployment/haproxy-consul-operator",
                    "--timeout=110s").assertSuccess();
            var large = BindingFixture.inExistingNamespace(plane, "large", NAMESPACE);
            large.apply("""
                      consul:
                        address: %s
                      routing:
                        domain: large.test
                      rollout:
                        debounce: {min: 100ms, max: 1s}
                    """.formatted(consul.httpAddressOn(plane.address())));
            await("the first configuration of 5,000 services and 50,000 servers").atMost(FIRST_CONFIG)
                    .ignoreExceptions().untilAsserted(() -> {
                        var current = large.binding().getStatus().currentConfig;
                        assertThat(current.services).isEqualTo(5000);
                        assertThat(current.servers).isEqualTo(50_000);
                        assertThat(current.encoding).isEqualTo("gzip");
                    });

            List<Runnable> changes = List.of(
                    () -> consul.kvPut("service/haproxy/maxconn", "3000"),
                    () -> consul.registerService("svc-00001", "svc-00001-extra", List.of("http"), plane.address(),
                            9000),
                    () -> consul.failCheck("svc-00001-extra"),
                    () -> consul.kvPut("service/haproxy/maxconn", "3001"));
            for (var change : changes) {
                String before = large.binding().getStatus().currentConfig.hash;
                change.run();
                await("the next configuration").atMost(CHANGE).ignoreExceptions().until(
                        () -> large.binding().getStatus().currentConfig.hash, hash -> !hash.equals(before));
            }
            assertThat(large.condition("Ready")).hasValueSatisfying(c -> assertThat(c.getStatus()).isEqualTo("True"));

            var pods = operatorPods(plane);
            assertThat(pods).isNotEmpty().allSatisfy(pod -> {
                var container = pod.getStatus().getContainerStatuses().get(0);
                assertThat(container.getRestartCount()).as("restarts of " + pod.getMetadata().getName()).isZero();
                assertThat(container.getLastState().getTerminated()).as("an earlier end (OOMKilled?)").isNull();
                assertThat(pod.getSpec().getContainers().get(0).getResources().getLimits().get("memory"))
                        .as("the limit deploy/base ships").isEqualTo(shippedLimit());
            });
            pods.forEach(pod -> LOG.infof("operator pod %s: cgroup memory peak %s MiB (page cache included)",
                    pod.getMetadata().getName(), peakMib(pod).map(String::valueOf).orElse("unknown")));
        } finally {
            plane.kubectl("delete", "hcb", "large", "-n", NAMESPACE, "--ignore-not-found", "--wait=true",
                    "--timeout=110s");
            plane.kubectl("delete", "-k", overlay, "--wait=true", "--timeout=110s");
        }
    }

    private static List<Pod> operatorPods(ControlPlane plane) {
        return plane.client().pods().inNamespace(NAMESPACE).withLabel("app.kubernetes.io/name",
                "haproxy-consul-operator").list().getItems();
    }

    private static Quantity shippedLimit() {
        try {
            var matcher = java.util.regex.Pattern.compile("limits:\\s*\\n\\s*memory:\\s*(\\S+)")
                    .matcher(Files.readString(Path.of("deploy", "base", "deployment.yaml")));
            assertThat(matcher.find()).as("deploy/base sets a memory limit").isTrue();
            return new Quantity(matcher.group(1));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The highest memory use of the pod's cgroup (v1 on this node), as the kernel counts it against the limit. */
    private static Optional<Long> peakMib(Pod pod) {
        try (Stream<Path> dirs = Files.walk(Path.of("/sys/fs/cgroup/memory"))) {
            return dirs.filter(dir -> dir.getFileName().toString().equals("pod" + pod.getMetadata().getUid()))
                    .findFirst().map(dir -> dir.resolve("memory.max_usage_in_bytes")).filter(Files::isReadable)
                    .map(file -> {
                        try {
                            return Long.parseLong(Files.readString(file).strip()) / (1024 * 1024);
                        } catch (IOException e) {
                            return -1L;
                        }
                    });
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
