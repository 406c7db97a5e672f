package io.haproxyconsul.operator.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.haproxyconsul.operator.testenv.CommandResult;
import io.haproxyconsul.operator.testenv.ControlPlane;
import io.haproxyconsul.operator.testenv.ControlPlaneExtension;
import io.haproxyconsul.operator.testenv.Helm;
import io.haproxyconsul.operator.testenv.OperatorImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What users install, on the real API server: the Helm chart (lint, template, install), the Kustomize overlays,
 * the examples and the GitOps files. The chart must install what {@code deploy/base} installs.
 */
@ExtendWith(ControlPlaneExtension.class)
class DeployManifestsIT {

    private static final Path CHART = Helm.CHART;
    private static final String CRD_FILE = "haproxyconsulbindings.haproxyconsul.io-v1.yml";
    /** A release name other than the chart's, so that its cluster-wide names differ from deploy/base's. */
    private static final String RELEASE = "hco";
    private static final String FULLNAME = RELEASE + "-haproxy-consul-operator";

    private static ControlPlane plane;
    private static Helm helm;
    @TempDir
    static Path work;

    @BeforeAll
    static void applyCrds(ControlPlane controlPlane) {
        plane = controlPlane;
        helm = new Helm(plane, work);
        plane.applyCrds();
    }

    @Test
    void theChartsDefaultImageIsTheOneDeployBaseNames() {
        var deployment = only(load(template("helm-image")), Deployment.class);

        assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                .isEqualTo(OperatorImage.deployedName());
    }

    @Test
    void theChartShipsTheTopLevelCrd() {
        assertThat(CHART.resolve("crds").resolve(CRD_FILE))
                .as("the chart's CRD differs from crds/%s: copy it to %s/crds/", CRD_FILE, CHART)
                .hasSameBinaryContentAs(Path.of("crds", CRD_FILE));
    }

    @Test
    void helmLintPasses() {
        var defaults = helm("lint", "--strict", CHART.toString());
        var everythingOn = helm("lint", "--strict", CHART.toString(), "--set", "watchNamespaces=current",
                "--set", "serviceMonitor.enabled=true", "--set", "serviceMonitor.interval=30s");

        for (var lint : List.of(defaults, everythingOn)) {
            assertThat(lint.exitCode()).as(lint.output()).isZero();
            assertThat(lint.output()).contains("1 chart(s) linted, 0 chart(s) failed");
        }
    }

    @Test
    void helmRejectsValuesItsSchemaDoesNotAllow() {
        var unknownMode = helm("template", RELEASE, CHART.toString(), "--set", "watchNamespaces=some");
        var misspelt = helm("template", RELEASE, CHART.toString(), "--set", "replicas=3");

        assertThat(unknownMode.exitCode()).isNotZero();
        assertThat(unknownMode.output()).contains("/watchNamespaces", "value must be one of 'all', 'current'");
        assertThat(misspelt.exitCode()).isNotZero();
        assertThat(misspelt.output()).contains("additional properties 'replicas' not allowed");
    }

    @ParameterizedTest(name = "watchNamespaces={0}")
    @ValueSource(strings = {"all", "current"})
    void theRenderedChartIsAcceptedByTheApiServer(String watchNamespaces) throws IOException {
        String namespace = createNamespace("helm-template-" + watchNamespaces);
        // kubectl here reads no stdin: the rendered chart goes through a file.
        Path manifest = Files.writeString(work.resolve("template-" + watchNamespaces + ".yaml"),
                template(namespace, "--set", "watchNamespaces=" + watchNamespaces));

        var applied = plane.kubectl("apply", "--dry-run=server", "-f", manifest.toString());

        assertThat(applied.exitCode()).as(applied.output()).isZero();
        assertThat(applied.output()).contains("deployment.apps/" + FULLNAME + " created (server dry run)");
    }

    @Test
    void helmInstallsWhatTheKustomizeBaseInstalls() {
        String namespace = "helm-install";

        var installed = helm("install", RELEASE, CHART.toString(), "-n", namespace, "--create-namespace",
                "--wait=false");

        assertThat(installed.exitCode()).as(installed.output()).isZero();
        assertThat(installed.output()).contains("STATUS: deployed",
                "kubectl -n " + namespace + " rollout status deployment/" + FULLNAME);
        var base = kustomize("deploy/base");
        var client = plane.client();

        assertThat(client.rbac().clusterRoles().withName(FULLNAME).get().getRules())
                .isEqualTo(only(base, ClusterRole.class).getRules());
        assertThatSubjectIsTheServiceAccount(client.rbac().clusterRoleBindings().withName(FULLNAME).get()
                .getSubjects(), namespace);
        assertThat(client.serviceAccounts().inNamespace(namespace).withName(FULLNAME).get()).isNotNull();

        // Both through the API server's defaulting, so that only what the manifests say can differ.
        var deployment = client.apps().deployments().inNamespace(namespace).withName(FULLNAME).get();
        var expected = defaulted(only(base, Deployment.class), namespace);
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(expected.getSpec().getReplicas()).isEqualTo(2);
        var expectedPod = new PodSpecBuilder(expected.getSpec().getTemplate().getSpec())
                .withServiceAccountName(FULLNAME).withServiceAccount(FULLNAME).build();
        assertThat(deployment.getSpec().getTemplate().getSpec()).usingRecursiveComparison().isEqualTo(expectedPod);

        var metrics = client.services().inNamespace(namespace).withName(FULLNAME + "-metrics").get();
        assertThat(metrics.getSpec().getPorts())
                .isEqualTo(defaulted(only(base, Service.class), namespace).getSpec().getPorts());
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(metrics.getSpec().getSelector());
    }

    @Test
    void watchingTheCurrentNamespaceOnlyGrantsTheBaseRulesInThatNamespace() {
        String namespace = "helm-current";

        var objects = load(template(namespace, "--set", "watchNamespaces=current"));

        assertThat(objects).noneMatch(o -> o instanceof ClusterRole || o instanceof ClusterRoleBinding);
        var role = only(objects, Role.class);
        assertThat(role.getMetadata().getNamespace()).isEqualTo(namespace);
        assertThat(role.getRules()).isEqualTo(only(kustomize("deploy/base"), ClusterRole.class).getRules());
        assertThatSubjectIsTheServiceAccount(only(objects, RoleBinding.class).getSubjects(), namespace);
        // The same environment as the single-namespace overlay, which tells the operator to watch its own namespace.
        assertThat(operatorContainerEnv(only(objects, Deployment.class)))
                .isEqualTo(operatorContainerEnv(only(kustomize("deploy/overlays/single-namespace"), Deployment.class)));
    }

    @Test
    void theServiceMonitorIsOffByDefaultAndScrapesTheMetricsServiceWhenOn() {
        String namespace = "helm-monitoring";
        assertThat(load(template(namespace))).noneMatch(o -> "ServiceMonitor".equals(o.getKind()));

        var objects = load(template(namespace, "--set", "serviceMonitor.enabled=true", "--set",
                "serviceMonitor.labels.release=prometheus"));

        var monitor = objects.stream().filter(o -> "ServiceMonitor".equals(o.getKind()))
                .map(GenericKubernetesResource.class::cast).findFirst().orElseThrow();
        assertThat(monitor.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
        assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "prometheus");
        Map<String, String> selector = monitor.get("spec", "selector", "matchLabels");
        assertThat(only(objects, Service.class).getMetadata().getLabels()).containsAllEntriesOf(selector);
        assertThat(monitor.<List<Object>>get("spec", "endpoints"))
                .containsExactly(Map.of("port", "http", "path", "/q/metrics"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"all-namespaces", "single-namespace"})
    void theKustomizeOverlaysAreAcceptedByTheApiServer(String overlay) {
        // Namespaced objects cannot be dry-run into a namespace that does not exist yet. Other tests apply the
        // same namespace.yaml: applying it again changes nothing for them.
        plane.kubectl("apply", "-f", Path.of("deploy", "base", "namespace.yaml").toAbsolutePath().toString())
                .assertSuccess();

        var applied = plane.kubectl("apply", "--dry-run=server", "-k",
                Path.of("deploy", "overlays", overlay).toAbsolutePath().toString());

        assertThat(applied.exitCode()).as(applied.output()).isZero();
        assertThat(applied.output()).contains("deployment.apps/haproxy-consul-operator",
                "clusterrole.rbac.authorization.k8s.io/haproxy-consul-operator", "(server dry run)");
    }

    static Stream<Path> examples() throws IOException {
        try (var files = Files.list(Path.of("deploy", "examples"))) {
            return files.sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void everyExampleIsAcceptedByTheApiServer(Path example) {
        String namespace = createNamespace("deploy-examples");

        var applied = plane.kubectl("apply", "--dry-run=server", "-n", namespace, "-f",
                example.toAbsolutePath().toString());

        assertThat(applied.exitCode()).as(applied.output()).isZero();
        assertThat(applied.output()).contains("haproxyconsulbinding.haproxyconsul.io/", "(server dry run)");
    }

    @Test
    void theGitOpsFilesPointAtThisRepositorysManifests() throws IOException {
        var argo = load(Files.readString(Path.of("deploy", "gitops", "argocd-application.yaml")));
        var flux = load(Files.readString(Path.of("deploy", "gitops", "flux-kustomization.yaml")));

        var paths = new ArrayList<String>();
        argo.forEach(app -> paths.add(((GenericKubernetesResource) app).get("spec", "source", "path")));
        flux.stream().filter(o -> "Kustomization".equals(o.getKind()))
                .forEach(kustomization -> paths.add(((GenericKubernetesResource) kustomization).get("spec", "path")));

        assertThat(paths).containsExactly("crds", "deploy/overlays/all-namespaces", "./crds",
                "./deploy/overlays/all-namespaces");
        assertThat(paths).allSatisfy(path -> assertThat(Path.of(path)).isDirectory());
    }

    private static CommandResult helm(String... args) {
        return helm.run(args);
    }

    /** The chart rendered for a release in the namespace; helm prints nothing else when it succeeds. */
    private static String template(String namespace, String... values) {
        var args = new ArrayList<>(List.of("template", RELEASE, CHART.toString(), "-n", namespace));
        args.addAll(List.of(values));
        return helm(args.toArray(String[]::new)).assertSuccess().output();
    }

    private static List<HasMetadata> kustomize(String directory) {
        return load(plane.kubectl("kustomize", Path.of(directory).toAbsolutePath().toString()).assertSuccess()
                .output());
    }

    private static List<HasMetadata> load(String yaml) {
        return plane.client().load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items();
    }

    private static <T extends HasMetadata> T only(List<HasMetadata> objects, Class<T> type) {
        var found = objects.stream().filter(type::isInstance).map(type::cast).toList();
        assertThat(found).as("%s objects", type.getSimpleName()).hasSize(1);
        return found.get(0);
    }

    /** The object as the API server would store it in the namespace, without storing it. */
    private static <T extends HasMetadata> T defaulted(T object, String namespace) {
        object.getMetadata().setNamespace(namespace);
        return plane.client().resource(object).dryRun().create();
    }

    private static void assertThatSubjectIsTheServiceAccount(List<Subject> subjects, String namespace) {
        assertThat(subjects).extracting(Subject::getKind, Subject::getName, Subject::getNamespace)
                .containsExactly(tuple("ServiceAccount", FULLNAME, namespace));
    }

    private static List<EnvVar> operatorContainerEnv(Deployment deployment) {
        return deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv();
    }

    private static String createNamespace(String name) {
        plane.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata()
                .build()).serverSideApply();
        return name;
    }
}
