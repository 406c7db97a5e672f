package io.haproxyconsul.operator.fleet;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBinding;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/**
 * The fleet's objects exist while the binding asks for a fleet (spec.fleet) and has a configuration for it;
 * removing spec.fleet deletes them.
 */
public class FleetRequested implements Condition<HasMetadata, HaproxyConsulBinding> {

    @Override
    public boolean isMet(DependentResource<HasMetadata, HaproxyConsulBinding> dependent, HaproxyConsulBinding binding,
            Context<HaproxyConsulBinding> context) {
        return binding.getSpec().fleet != null && FleetTarget.of(context).isPresent();
    }
}
