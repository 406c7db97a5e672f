package io.haproxyconsul.operator.fleet;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBinding;
import io.haproxyconsul.operator.owned.OwnedObjects;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import java.util.TreeMap;

/** The Service in front of a binding's HAProxy pods. */
// Only the operator's own objects are cached: a cluster's other Deployments, Services and budgets are none of its
// business.
@KubernetesDependent(informer = @Informer(labelSelector = OwnedObjects.MANAGED_BY + "=" + OwnedObjects.OPERATOR))
public class FleetService extends CRUDKubernetesDependentResource<Service, HaproxyConsulBinding> {

    public FleetService() {
        super(Service.class);
    }

    /** Found by name, which needs no spec.fleet: when spec.fleet is gone, this finds what to delete. */
    @Override
    protected ResourceID targetSecondaryResourceID(HaproxyConsulBinding binding, Context<HaproxyConsulBinding> context) {
        return new ResourceID(OwnedObjects.fleetName(binding), binding.getMetadata().getNamespace());
    }

    @Override
    protected Service desired(HaproxyConsulBinding binding, Context<HaproxyConsulBinding> context) {
        var service = binding.getSpec().fleet.service;
        return new ServiceBuilder()
                .withNewMetadata().withName(OwnedObjects.fleetName(binding))
                .withNamespace(binding.getMetadata().getNamespace()).withLabels(OwnedObjects.fleetLabels(binding))
                .withAnnotations(new TreeMap<>(service.annotations)).endMetadata()
                .withNewSpec().withType(service.type.name()).withSelector(OwnedObjects.selector(binding))
                .addNewPort().withName("http").withProtocol("TCP").withPort(service.port)
                .withTargetPort(new IntOrString("http")).endPort()
                .endSpec().build();
    }
}
