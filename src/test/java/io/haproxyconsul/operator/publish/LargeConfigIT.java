package io.haproxyconsul.operator.publish;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBinding;
import io.haproxyconsul.operator.api.v1alpha1.KvSpec;
import io.haproxyconsul.operator.consul.CatalogSnapshot;
import io.haproxyconsul.operator.model.RoutingModelBuilder;
import io.haproxyconsul.operator.render.ConfigRenderer;
import io.haproxyconsul.operator.testenv.BackendServer;
import io.haproxyconsul.operator.testenv.ControlPlane;
import io.haproxyconsul.operator.testenv.ControlPlaneExtension;
import io.haproxyconsul.operator.testenv.FreePorts;
import io.haproxyconsul.operator.testenv.HaproxyProcess;
import io.haproxyconsul.operator.testenv.HttpProbe;
import io.haproxyconsul.operator.testenv.RealParts;
import io.haproxyconsul.operator.testenv.RealParts.Part;
import io.haproxyconsul.operator.testenv.SyntheticCatalog;
import io.haproxyconsul.operator.validate.HaproxyValidator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A catalog of 5,000 services with 10 instances each renders several MiB of haproxy.cfg, more than a ConfigMap
 * holds: it is published compressed on the real API server, read back intact, accepted by {@code haproxy -c}
 * and served by a real HAProxy. HAProxy asks for one file descriptor per health-checked server on top of 2 ×
 * maxconn (about 58,000), above this machine's hard limit of 20,000, which a process here cannot raise (pods
 * usually get 1,048,576): the catalog's KV sets {@code no strict-limits}, so HAProxy starts below it with an alert,
 * as a platform team on such a host would.
 */
@ExtendWith(ControlPlaneExtension.class)
class LargeConfigIT {

    private static final int SERVICES = 5_000;

    private static ControlPlane plane;
    private static HaproxyConsulBinding binding;
    private static int port;
    private final List<BackendServer> backends = new ArrayList<>();

    @BeforeAll
    static void binding(ControlPlane controlPlane) {
        plane = controlPlane;
        var client = plane.client();
        plane.applyCrds();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("large").endMetadata().build())
                .serverSideApply();
        port = FreePorts.next();
        // Owner of the published ConfigMaps (no operator runs here: the test publishes itself).
        binding = client.resources(HaproxyConsulBinding.class).inNamespace("large").resource(
                client.getKubernetesSerialization().unmarshal("""
                        apiVersion: haproxyconsul.io/v1alpha1
                        kind: HaproxyConsulBinding
                        metadata: {name: large, namespace: large}
                        spec:
                          consul: {address: "http://127.0.0.1:8500"}
                          routing: {domain: large.test, port: %d}
                        """.formatted(port), HaproxyConsulBinding.class)).serverSideApply();
    }

    @AfterEach
    void stopBackends() {
        backends.forEach(BackendServer::close);
    }

    @Test
    void fiveThousandServicesOfTenInstancesArePublishedCompressedValidatedAndServed() {
        String text = publishAndReadBack(10);

        var check = new HaproxyValidator(RealParts.require(Part.HAPROXY), 120_000).validate(text);
        assertThat(check.valid()).as(check.errorLine()).isTrue();
        try (var haproxy = HaproxyProcess.start(RealParts.require(Part.HAPROXY), text, port)) {
            assertThat(HttpProbe.get(port, "svc-00000.large.test", "/").body()).contains("identity=svc-00000-");
            assertThat(HttpProbe.get(port, "svc-04999.large.test", "/").status()).as("nothing listens there")
                    .isEqualTo(503);
        }
    }

    private String publishAndReadBack(int instances) {
        var rendered = ConfigRenderer.standalone().renderDefault(RoutingModelBuilder.build(binding.getSpec(),
                catalog(instances)));
        assertThat(rendered.bytes()).isGreaterThan(PublishedConfigMaps.PLAIN_LIMIT);

        var published = new PublishedConfigMaps(plane.client()).publish(binding, rendered);

        assertThat(published.encoding).isEqualTo(PublishedConfigMaps.GZIP);
        assertThat(published.servers).isEqualTo(SERVICES * instances);
        var configMap = plane.client().configMaps().inNamespace("large").withName(published.configMapName).get();
        assertThat(configMap.getBinaryData()).containsOnlyKeys(PublishedConfigMaps.COMPRESSED_KEY);
        String text = PublishedConfigMaps.text(configMap);
        assertThat(text).isEqualTo(rendered.text());
        return text;
    }

    /**
     * svc-00000's instances answer; every other instance sits on a loopback address where nothing listens. The KV
     * global snippet lets HAProxy start below the file descriptors it asks for (see the class comment).
     */
    private CatalogSnapshot catalog(int instancesEach) {
        for (int i = 0; i < instancesEach; i++) {
            backends.add(BackendServer.start("svc-00000-" + i));
        }
        var synthetic = SyntheticCatalog.of(SERVICES, instancesEach, backends.stream().map(BackendServer::port)
                .toList());
        return CatalogSnapshot.of(synthetic.services(), synthetic.instances(),
                Map.of(KvSpec.DEFAULT_PREFIX + "/global", "no strict-limits"));
    }
}
