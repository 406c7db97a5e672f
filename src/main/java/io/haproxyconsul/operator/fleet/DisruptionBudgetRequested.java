package io.haproxyconsul.operator.fleet;

import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBinding;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/** A PodDisruptionBudget exists only while the fleet does and spec.fleet.podDisruptionBudget is set. */
public class DisruptionBudgetRequested implements Condition<PodDisruptionBudget, HaproxyConsulBinding> {

    @Override
    public boolean isMet(DependentResource<PodDisruptionBudget, HaproxyConsulBinding> dependent,
            HaproxyConsulBinding binding, Context<HaproxyConsulBinding> context) {
        return binding.getSpec().fleet != null && binding.getSpec().fleet.podDisruptionBudget != null
                && FleetTarget.of(context).isPresent();
    }
}
