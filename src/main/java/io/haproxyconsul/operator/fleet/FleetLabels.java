package io.haproxyconsul.operator.fleet;

import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBinding;
import io.haproxyconsul.operator.publish.PublishedConfigMaps;
import java.util.Map;
import java.util.TreeMap;

/** Names and labels of a binding's fleet objects, in one place so selectors and objects always agree. */
public final class FleetLabels {

    public static final String CONFIG_HASH_ANNOTATION = "haproxyconsul.io/config-hash";
    static final String NAME = "app.kubernetes.io/name";
    static final String INSTANCE = "app.kubernetes.io/instance";

    private FleetLabels() {
    }

    /** The Deployment, Service and PodDisruptionBudget share the binding's name with this suffix. */
    public static String objectName(HaproxyConsulBinding binding) {
        String base = binding.getMetadata().getName();
        return (base.length() > 55 ? base.substring(0, 55).replaceAll("[-.]+$", "") : base) + "-haproxy";
    }

    /** Selects the binding's pods; never changes, as a Deployment's selector cannot. */
    public static Map<String, String> selector(HaproxyConsulBinding binding) {
        return Map.of(NAME, "haproxy", PublishedConfigMaps.BINDING_LABEL, binding.getMetadata().getName());
    }

    static Map<String, String> objectLabels(HaproxyConsulBinding binding) {
        var labels = new TreeMap<>(selector(binding));
        labels.put(INSTANCE, binding.getMetadata().getName());
        labels.put(PublishedConfigMaps.MANAGED_BY, PublishedConfigMaps.OPERATOR);
        return labels;
    }
}
