package io.haproxyconsul.operator.reconciler;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBinding;
import io.haproxyconsul.operator.api.v1alpha1.SecretKeySelector;
import io.haproxyconsul.operator.consul.ConsulEndpoint;
import io.haproxyconsul.operator.consul.ConsulQuestion;
import io.haproxyconsul.operator.consul.ServiceSelector;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Reads what a binding refers to in its namespace (the ACL token and CA Secrets, the template ConfigMap) and
 * turns the spec into the question asked of Consul. Problems come back as {@link InvalidInputException}, which
 * names the field.
 */
@ApplicationScoped
public class BindingInputs {

    private final KubernetesClient client;

    public BindingInputs(KubernetesClient client) {
        this.client = client;
    }

    KubernetesClient client() {
        return client;
    }

    public ConsulQuestion question(HaproxyConsulBinding binding) {
        var spec = binding.getSpec();
        String namespace = binding.getMetadata().getNamespace();
        var consul = spec.consul;
        String token = consul.tokenSecretRef == null ? null
                : secretValue(namespace, consul.tokenSecretRef, "spec.consul.tokenSecretRef").strip();
        String ca = consul.tls == null || consul.tls.caSecretRef == null ? null
                : secretValue(namespace, consul.tls.caSecretRef, "spec.consul.tls.caSecretRef");
        var endpoint = new ConsulEndpoint(URI.create(consul.address.replaceAll("/+$", "")), consul.datacenter, token,
                ca, consul.tls != null && consul.tls.insecureSkipVerify);
        ServiceSelector selector;
        try {
            selector = ServiceSelector.from(spec.services);
        } catch (ServiceSelector.InvalidSelectionException e) {
            throw new InvalidInputException(e.getMessage());
        }
        return new ConsulQuestion(endpoint, selector, List.of(spec.kv.prefix, spec.kv.servicePrefix));
    }

    /** The user's Qute template, or empty for the built-in one. */
    public Optional<String> template(HaproxyConsulBinding binding) {
        var ref = binding.getSpec().template.configMapRef;
        if (ref == null) {
            return Optional.empty();
        }
        ConfigMap configMap = client.configMaps().inNamespace(binding.getMetadata().getNamespace()).withName(ref.name)
                .get();
        if (configMap == null) {
            throw new InvalidInputException("spec.template.configMapRef: ConfigMap " + ref.name + " not found");
        }
        String text = configMap.getData() == null ? null : configMap.getData().get(ref.key);
        if (text == null) {
            throw new InvalidInputException("spec.template.configMapRef: ConfigMap " + ref.name + " has no key "
                    + ref.key);
        }
        return Optional.of(text);
    }

    private String secretValue(String namespace, SecretKeySelector ref, String field) {
        Secret secret = client.secrets().inNamespace(namespace).withName(ref.name).get();
        if (secret == null) {
            throw new InvalidInputException(field + ": Secret " + ref.name + " not found");
        }
        if (secret.getData() != null && secret.getData().containsKey(ref.key)) {
            return new String(Base64.getDecoder().decode(secret.getData().get(ref.key)), StandardCharsets.UTF_8);
        }
        if (secret.getStringData() != null && secret.getStringData().containsKey(ref.key)) {
            return secret.getStringData().get(ref.key);
        }
        throw new InvalidInputException(field + ": Secret " + ref.name + " has no key " + ref.key);
    }

    /** A binding refers to something missing or malformed; the message names the field. */
    public static final class InvalidInputException extends RuntimeException {
        public InvalidInputException(String message) {
            super(message);
        }
    }
}
