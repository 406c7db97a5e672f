package io.haproxyconsul.operator.reconciler;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBinding;
import io.haproxyconsul.operator.api.v1alpha1.SecretKeySelector;
import io.haproxyconsul.operator.owned.OwnedObjects;
import io.haproxyconsul.operator.render.ConfigHash;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.polling.PerResourcePollingConfigurationBuilder;
import io.javaoperatorsdk.operator.processing.event.source.polling.PerResourcePollingEventSource;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reconciles a binding when something it refers to changes: the template ConfigMap it names (an informer, mapped
 * to the bindings that name it through an index of the bindings' cache) and the Secrets of its ACL token and CA
 * (read again every {@link #SECRET_POLL}: watching Secrets would take the right to list every Secret of the
 * cluster, which the operator does without).
 */
final class InputEvents {

    static final Duration SECRET_POLL = Duration.ofSeconds(30);
    private static final String TEMPLATE_INDEX = "template-configmap";

    /** What the operator knows of a referenced Secret: its name and a digest of its data. */
    record SecretDigest(String name, String digest) {
    }

    private InputEvents() {
    }

    static List<EventSource<?, HaproxyConsulBinding>> of(EventSourceContext<HaproxyConsulBinding> context,
            KubernetesClient client) {
        context.getPrimaryCache().addIndexer(TEMPLATE_INDEX, binding -> templateKey(binding).stream().toList());
        // The operator's own ConfigMaps are many and large; none of them is a template.
        var templates = new InformerEventSource<>(InformerEventSourceConfiguration.from(ConfigMap.class,
                HaproxyConsulBinding.class).withName("template-configmaps").withNamespacesInheritedFromController()
                .withLabelSelector(OwnedObjects.MANAGED_BY + " notin (" + OwnedObjects.OPERATOR + ")")
                .withSecondaryToPrimaryMapper(configMap -> context.getPrimaryCache()
                        .byIndex(TEMPLATE_INDEX, key(configMap)).stream().map(ResourceID::fromResource)
                        .collect(Collectors.toSet()))
                .build(), context);
        var secrets = new PerResourcePollingEventSource<>(SecretDigest.class, context,
                new PerResourcePollingConfigurationBuilder<SecretDigest, HaproxyConsulBinding, String>(
                        binding -> digests(client, binding), SECRET_POLL)
                        .withName("referenced-secrets").withResourceIDMapper(SecretDigest::name)
                        .withRegisterPredicate(binding -> secretRefs(binding).findAny().isPresent()).build());
        return List.of(templates, secrets);
    }

    private static java.util.Optional<String> templateKey(HaproxyConsulBinding binding) {
        var ref = binding.getSpec().template.configMapRef;
        return ref == null ? java.util.Optional.empty()
                : java.util.Optional.of(binding.getMetadata().getNamespace() + "/" + ref.name);
    }

    private static String key(HasMetadata object) {
        return object.getMetadata().getNamespace() + "/" + object.getMetadata().getName();
    }

    private static Stream<SecretKeySelector> secretRefs(HaproxyConsulBinding binding) {
        var consul = binding.getSpec().consul;
        return Stream.of(consul.tokenSecretRef, consul.tls == null ? null : consul.tls.caSecretRef)
                .filter(java.util.Objects::nonNull);
    }

    private static Set<SecretDigest> digests(KubernetesClient client, HaproxyConsulBinding binding) {
        return secretRefs(binding).map(ref -> ref.name).distinct().map(name -> {
            var secret = client.secrets().inNamespace(binding.getMetadata().getNamespace()).withName(name).get();
            String data = secret == null ? "missing" : new TreeMap<>(secret.getData() == null
                    ? java.util.Map.<String, String>of() : secret.getData()).toString();
            return new SecretDigest(name, ConfigHash.of(data).value());
        }).collect(Collectors.toSet());
    }
}
