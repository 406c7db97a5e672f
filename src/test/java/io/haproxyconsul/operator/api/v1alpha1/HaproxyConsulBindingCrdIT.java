package io.haproxyconsul.operator.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.haproxyconsul.operator.reconciler.BindingFixture;
import io.haproxyconsul.operator.testenv.CommandResult;
import io.haproxyconsul.operator.testenv.ControlPlane;
import io.haproxyconsul.operator.testenv.ControlPlaneExtension;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The committed CRD on the real API server: applied with kubectl, as users do, and its validation as they see it. */
@ExtendWith(ControlPlaneExtension.class)
class HaproxyConsulBindingCrdIT {

    private static final String NAMESPACE = "crd-it";
    private static final List<String> KUBERNETES_TYPES = List.of("spec.fleet.resources", "spec.fleet.affinity",
            "spec.fleet.tolerations");
    private static ControlPlane plane;
    @BeforeAll
    static void applyCrd(ControlPlane controlPlane) {
        plane = controlPlane;
        plane.applyCrds();
        plane.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE)
                .endMetadata().build()).serverSideApply();
    }

    @Test
    void theCommittedCrdIsTheOneTheBuildGenerates() throws IOException {
        // Quarkus' build writes the CRD from the API classes; crds/ is what users apply.
        String file = "haproxyconsulbindings.haproxyconsul.io-v1.yml";
        assertThat(Path.of("crds", file)).as("crds/%s differs from the generated one: copy target/kubernetes/%s "
                + "to crds/ and review the diff", file, file).hasSameTextualContentAs(Path.of("target", "kubernetes",
                        file));
    }

    @Test
    void applyingTheCrdsTwiceChangesNothing() {
        var before = crd().getMetadata();

        plane.applyCrds();

        var after = crd().getMetadata();
        assertThat(after.getResourceVersion()).isEqualTo(before.getResourceVersion());
        assertThat(after.getGeneration()).isEqualTo(before.getGeneration());
    }

    @Test
    void aValidBindingIsAcceptedAndDefaulted() {
        apply(binding("valid", """
                  consul:
                    address: http://consul.consul.svc:8500
                  routing:
                    domain: example.com
                """)).assertSuccess();

        var stored = plane.client().resources(HaproxyConsulBinding.class).inNamespace(NAMESPACE).withName("valid")
                .get();
        assertThat(stored.getSpec().services.tags).containsExactly("http");
        assertThat(stored.getSpec().routing.port).isEqualTo(8080);
        assertThat(stored.getSpec().routing.hostMatch).isEqualTo(RoutingSpec.HostMatch.Exact);
        assertThat(stored.getSpec().kv.prefix).isEqualTo("service/haproxy");
        assertThat(stored.getSpec().rollout.debounce.min).isEqualTo("1s");
        assertThat(plane.kubectl("get", "hcb", "-n", NAMESPACE).assertSuccess().output())
                .contains("DOMAIN", "READY", "REASON", "CONFIG", "SERVICES", "SERVERS").contains("example.com");
    }

    static Stream<Arguments> invalidBindings() {
        String consul = "  consul:\n    address: http://consul:8500\n";
        String routing = "  routing:\n    domain: example.com\n";
        return Stream.of(
                Arguments.of("address-scheme", "  consul:\n    address: ftp://consul:8500\n" + routing,
                        List.of("spec.consul.address", "should match")),
                Arguments.of("consul-missing", routing, List.of("spec.consul: Required value")),
                Arguments.of("routing-missing", consul, List.of("spec.routing: Required value")),
                Arguments.of("port-range", consul + routing + "    port: 70000\n",
                        List.of("spec.routing.port", "less than or equal to 65535")),
                Arguments.of("domain-pattern", consul + "  routing:\n    domain: Bad_Domain!\n",
                        List.of("spec.routing.domain", "should match")),
                Arguments.of("no-routing", consul + routing + "    hostRouting: false\n    pathRouting: false\n",
                        List.of("spec.routing", "at least one of hostRouting and pathRouting must be true")),
                Arguments.of("host-match", consul + routing + "    hostMatch: hdr_dom\n",
                        List.of("spec.routing.hostMatch", "supported values: \"Exact\", \"Subdomains\"")),
                Arguments.of("health-check-method", consul + routing + "    healthCheck: {method: POST}\n",
                        List.of("spec.routing.healthCheck.method", "supported values")),
                Arguments.of("health-check-path", consul + routing + "    healthCheck: {path: \"/x y\"}\n",
                        List.of("spec.routing.healthCheck.path", "should match")),
                Arguments.of("debounce-order", consul + routing + "  rollout:\n    debounce: {min: 5s, max: 1s}\n",
                        List.of("spec.rollout.debounce.min", "min must not be longer than max")),
                Arguments.of("debounce-format", consul + routing + "  rollout:\n    debounce: {min: soon}\n",
                        List.of("spec.rollout.debounce.min", "should match")),
                Arguments.of("history-range", consul + routing + "  rollout:\n    historyLimit: 0\n",
                        List.of("spec.rollout.historyLimit", "greater than or equal to 1")),
                Arguments.of("tls-over-http", consul + "    tls: {insecureSkipVerify: true}\n" + routing,
                        List.of("spec.consul.tls", "tls is only allowed with an https:// address")),
                Arguments.of("tls-ca-and-insecure", "  consul:\n    address: https://consul:8501\n"
                        + "    tls: {insecureSkipVerify: true, caSecretRef: {name: ca, key: ca.crt}}\n" + routing,
                        List.of("spec.consul.tls", "caSecretRef and insecureSkipVerify exclude each other")),
                Arguments.of("tag-size", consul + routing + "  services:\n    tags: [\"\"]\n",
                        List.of("spec.services.tags", "each tag must be 1 to 128 characters")),
                Arguments.of("kv-prefix", consul + routing + "  kv:\n    prefix: /leading/slash\n",
                        List.of("spec.kv.prefix", "should match")),
                Arguments.of("token-key-missing", "  consul:\n    address: http://consul:8500\n"
                        + "    tokenSecretRef: {name: acl}\n" + routing,
                        List.of("spec.consul.tokenSecretRef.key: Required value")),
                Arguments.of("parameter-name", consul + routing + "  template:\n    parameters: {\"1st\": x}\n",
                        List.of("spec.template.parameters", "parameter names must match")),
                Arguments.of("stats-port", consul + routing + "  stats:\n    credentialsSecretName: s\n"
                        + "    port: 0\n", List.of("spec.stats.port", "greater than or equal to 1")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidBindings")
    void anInvalidBindingIsRejectedNamingTheField(String name, String spec, List<String> expected) {
        var result = apply(binding(name, spec));

        assertThat(result.exitCode()).as(result.output()).isNotZero();
        assertThat(result.output()).contains("The HaproxyConsulBinding \"" + name + "\" is invalid");
        expected.forEach(text -> assertThat(result.output()).contains(text));
        assertThat(plane.client().resources(HaproxyConsulBinding.class).inNamespace(NAMESPACE).withName(name).get())
                .isNull();
    }

    @Test
    void kubectlExplainDocumentsEverySpecField() {
        var spec = crd().getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema().getProperties().get("spec");
        var undocumented = new ArrayList<String>();
        spec.getProperties().forEach((name, field) -> collectUndocumented("spec." + name, field, undocumented));
        assertThat(undocumented).isEmpty();

        var explain = plane.kubectl("explain", "hcb.spec.routing").assertSuccess().output();
        assertThat(explain).contains("domain", "hostRouting", "pathRouting", "port", "How requests reach a service");
    }

    private static CustomResourceDefinition crd() {
        return plane.client().apiextensions().v1().customResourceDefinitions()
                .withName("haproxyconsulbindings.haproxyconsul.io").get();
    }

    private static void collectUndocumented(String path, JSONSchemaProps schema, List<String> undocumented) {
        if (schema.getDescription() == null || schema.getDescription().isBlank()) {
            undocumented.add(path);
        }
        if (KUBERNETES_TYPES.contains(path)) {
            return; // Kubernetes' own types, documented where they are defined
        }
        for (Map.Entry<String, JSONSchemaProps> field : schema.getProperties().entrySet()) {
            collectUndocumented(path + "." + field.getKey(), field.getValue(), undocumented);
        }
    }

    private static String binding(String name, String spec) {
        return BindingFixture.manifest(name, NAMESPACE, spec);
    }

    private static CommandResult apply(String yaml) {
        return plane.apply(yaml);
    }
}
