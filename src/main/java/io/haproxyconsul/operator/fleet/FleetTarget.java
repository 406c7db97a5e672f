package io.haproxyconsul.operator.fleet;

import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBinding;
import io.haproxyconsul.operator.api.v1alpha1.PublishedConfig;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.util.Objects;
import java.util.Optional;

/**
 * The configuration a binding's pods load, chosen once per reconcile and handed to the fleet's dependents through
 * the workflow context. Pods keep loading the same configuration while only servers change (those reach running
 * pods through the Runtime API); a new structure, or a backend that outgrew its free server slots, makes the
 * current configuration the one they load, and the Deployment rolls.
 */
public final class FleetTarget {

    private static final String KEY = "haproxyconsul.io/fleet-target";

    private FleetTarget() {
    }

    /**
     * @param loaded what the pods load now (null before the first)
     * @param current the binding's current configuration
     * @param outgrown whether a pod that loads {@code loaded} has no free slot left for the current servers
     */
    public static PublishedConfig choose(PublishedConfig loaded, PublishedConfig current, boolean outgrown) {
        if (loaded == null || outgrown || !Objects.equals(current.structureHash, loaded.structureHash)) {
            return current;
        }
        return loaded;
    }

    public static void handTo(Context<HaproxyConsulBinding> context, PublishedConfig target) {
        context.managedWorkflowAndDependentResourceContext().put(KEY, target);
    }

    static Optional<PublishedConfig> of(Context<HaproxyConsulBinding> context) {
        return context.managedWorkflowAndDependentResourceContext().get(KEY, PublishedConfig.class);
    }
}
