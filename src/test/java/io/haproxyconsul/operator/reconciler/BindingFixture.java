package io.haproxyconsul.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBinding;
import io.haproxyconsul.operator.owned.OwnedObjects;
import io.haproxyconsul.operator.publish.PublishedConfigMaps;
import io.haproxyconsul.operator.testenv.ControlPlane;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** One binding in a namespace of its own on the real API server, and what the operator made of it. */
public final class BindingFixture {

    public static final Duration PUBLISH = Duration.ofSeconds(30);

    private final ControlPlane plane;
    private final KubernetesClient client;
    public final String namespace;
    public final String name;

    public BindingFixture(ControlPlane plane, String name) {
        this(plane, name, name + "-" + UUID.randomUUID().toString().substring(0, 6));
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata()
                .build()).create();
    }

    private BindingFixture(ControlPlane plane, String name, String namespace) {
        this.plane = plane;
        this.client = plane.client();
        this.namespace = namespace;
        this.name = name;
    }

    /** A binding in a namespace that exists already (an operator's own, say). */
    public static BindingFixture inExistingNamespace(ControlPlane plane, String name, String namespace) {
        return new BindingFixture(plane, name, namespace);
    }

    /** The end of the server line of Consul instance {@code id} in a published configuration (any slot). */
    public static String server(String id) {
        return "  # " + id + "\n";
    }

    /** The same, sending traffic to {@code address} ({@code ip:port}). */
    public static String server(String id, String address) {
        return " " + address + " check" + server(id);
    }

    /** Applies the binding with kubectl; {@code spec} is YAML indented by two spaces. */
    public void apply(String spec) {
        plane.apply(manifest(name, namespace, spec)).assertSuccess();
    }

    /** A binding's manifest; {@code spec} is YAML indented by two spaces. */
    public static String manifest(String name, String namespace, String spec) {
        return """
                apiVersion: haproxyconsul.io/v1alpha1
                kind: HaproxyConsulBinding
                metadata:
                  name: %s
                  namespace: %s
                spec:
                %s""".formatted(name, namespace, spec);
    }

    /** Waits with {@code kubectl wait}, as a user or a pipeline would. */
    public void awaitReady() {
        awaitReady(PUBLISH);
    }

    /** The same, for at most {@code timeout} (under two minutes). */
    public void awaitReady(Duration timeout) {
        var result = plane.kubectl("wait", "--for=condition=Ready", "--timeout=" + timeout.toSeconds() + "s", "-n",
                namespace, "hcb/" + name);
        if (result.exitCode() != 0) {
            throw new AssertionError(result.output() + plane.kubectl("get", "hcb", name, "-n", namespace, "-o",
                    "yaml").output());
        }
    }

    public HaproxyConsulBinding binding() {
        return client.resources(HaproxyConsulBinding.class).inNamespace(namespace).withName(name).get();
    }

    public Optional<Condition> condition(String type) {
        var binding = binding();
        if (binding == null || binding.getStatus() == null) {
            return Optional.empty();
        }
        return binding.getStatus().conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
    }

    /** The text of the configuration the status points at now. */
    public String currentConfig() {
        var status = binding().getStatus();
        assertThat(status.currentConfig).as("status.currentConfig").isNotNull();
        return PublishedConfigMaps.text(configMap(status.currentConfig.configMapName));
    }

    /** Waits until the published configuration satisfies {@code check}, and returns it. */
    public String awaitConfig(String description, java.util.function.Predicate<String> check) {
        return await(description).atMost(PUBLISH).ignoreExceptions().until(this::currentConfig, check);
    }

    public ConfigMap configMap(String configMapName) {
        return client.configMaps().inNamespace(namespace).withName(configMapName).get();
    }

    public List<Event> warningEvents() {
        return client.v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> "Warning".equals(e.getType()) && name.equals(e.getInvolvedObject().getName())).toList();
    }

    public List<ConfigMap> publishedConfigMaps() {
        return client.configMaps().inNamespace(namespace).withLabel(OwnedObjects.BINDING_LABEL, name).list()
                .getItems();
    }
}
