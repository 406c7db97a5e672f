package io.haproxyconsul.operator.owned;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBinding;
import java.util.Map;
import java.util.TreeMap;

/**
 * Names, labels and owner references of every object a binding owns (its ConfigMaps, the fleet's Deployment,
 * Service and PodDisruptionBudget, the Runtime API Secret), in one place so that selectors and objects agree.
 */
public final class OwnedObjects {

    public static final String BINDING_LABEL = "haproxyconsul.io/binding";
    public static final String HASH_LABEL = "haproxyconsul.io/config-hash";
    public static final String CONFIG_HASH_ANNOTATION = "haproxyconsul.io/config-hash";
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String OPERATOR = "haproxy-consul-operator";
    static final String NAME = "app.kubernetes.io/name";
    static final String INSTANCE = "app.kubernetes.io/instance";

    private OwnedObjects() {
    }

    /** A published configuration: {@code <binding>-<hash>}, the binding's name shortened to stay a valid name. */
    public static String configMapName(HaproxyConsulBinding binding, String hash) {
        String base = binding.getMetadata().getName();
        int room = 253 - hash.length() - 1;
        if (base.length() > room) {
            base = base.substring(0, room).replaceAll("[-.]+$", "");
        }
        return base + "-" + hash;
    }

    /** The fleet's Deployment, Service and PodDisruptionBudget: the binding's name with this suffix. */
    public static String fleetName(HaproxyConsulBinding binding) {
        String base = binding.getMetadata().getName();
        return (base.length() > 55 ? base.substring(0, 55).replaceAll("[-.]+$", "") : base) + "-haproxy";
    }

    /** The Secret holding the keys of the fleet's Runtime API channel. */
    public static String runtimeSecretName(HaproxyConsulBinding binding) {
        return fleetName(binding) + "-runtime-api";
    }

    /** Selects the binding's pods; never changes, as a Deployment's selector cannot. */
    public static Map<String, String> selector(HaproxyConsulBinding binding) {
        return Map.of(NAME, "haproxy", BINDING_LABEL, binding.getMetadata().getName());
    }

    /** The labels of the fleet's objects and pods. */
    public static Map<String, String> fleetLabels(HaproxyConsulBinding binding) {
        var labels = new TreeMap<>(selector(binding));
        labels.put(INSTANCE, binding.getMetadata().getName());
        labels.put(MANAGED_BY, OPERATOR);
        return labels;
    }

    /** The labels of a published configuration. */
    public static Map<String, String> configLabels(HaproxyConsulBinding binding, String hash) {
        return Map.of(MANAGED_BY, OPERATOR, BINDING_LABEL, binding.getMetadata().getName(), HASH_LABEL, hash);
    }

    /** Owned objects go when the binding goes (garbage collection). */
    public static OwnerReference ownerReference(HaproxyConsulBinding binding) {
        return new OwnerReferenceBuilder().withApiVersion(binding.getApiVersion()).withKind(binding.getKind())
                .withName(binding.getMetadata().getName()).withUid(binding.getMetadata().getUid())
                .withController(true).withBlockOwnerDeletion(true).build();
    }
}
