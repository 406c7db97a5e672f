package io.haproxyconsul.operator.fleet;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBinding;
import io.haproxyconsul.operator.owned.OwnedObjects;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import java.util.TreeMap;

/** Keeps node drains from taking too many of a binding's HAProxy pods at once. */
// Only the operator's own objects are cached: a cluster's other Deployments, Services and budgets are none of its
// business.
@KubernetesDependent(informer = @Informer(labelSelector = OwnedObjects.MANAGED_BY + "=" + OwnedObjects.OPERATOR))
public class FleetDisruptionBudget extends CRUDKubernetesDependentResource<PodDisruptionBudget, HaproxyConsulBinding> {

    public FleetDisruptionBudget() {
        super(PodDisruptionBudget.class);
    }

    /** Found by name, which needs no spec.fleet: when spec.fleet is gone, this finds what to delete. */
    @Override
    protected ResourceID targetSecondaryResourceID(HaproxyConsulBinding binding, Context<HaproxyConsulBinding> context) {
        return new ResourceID(OwnedObjects.fleetName(binding), binding.getMetadata().getNamespace());
    }

    @Override
    protected PodDisruptionBudget desired(HaproxyConsulBinding binding, Context<HaproxyConsulBinding> context) {
        return new PodDisruptionBudgetBuilder()
                .withNewMetadata().withName(OwnedObjects.fleetName(binding))
                .withNamespace(binding.getMetadata().getNamespace()).withLabels(OwnedObjects.fleetLabels(binding))
                .withAnnotations(new TreeMap<>()).endMetadata()
                .withNewSpec().withNewSelector().withMatchLabels(OwnedObjects.selector(binding)).endSelector()
                .withMinAvailable(new IntOrString(binding.getSpec().fleet.podDisruptionBudget.minAvailable))
                .endSpec().build();
    }
}
