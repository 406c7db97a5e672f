package io.haproxyconsul.operator.testenv;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBinding;
import java.util.function.Consumer;

/** Hands every version of one binding to {@code onChange} as the API server announces it, as a user's watch does. */
public final class BindingStatusWatch {

    private BindingStatusWatch() {
    }

    /** Close the returned informer to stop watching. */
    public static SharedIndexInformer<HaproxyConsulBinding> watch(KubernetesClient client, String namespace,
            String name, Consumer<HaproxyConsulBinding> onChange) {
        return client.resources(HaproxyConsulBinding.class).inNamespace(namespace).withName(name)
                .inform(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(HaproxyConsulBinding binding) {
                        onChange.accept(binding);
                    }

                    @Override
                    public void onUpdate(HaproxyConsulBinding old, HaproxyConsulBinding binding) {
                        onChange.accept(binding);
                    }

                    @Override
                    public void onDelete(HaproxyConsulBinding binding, boolean unknown) {
                        // a deleted binding has nothing more to say
                    }
                });
    }
}
