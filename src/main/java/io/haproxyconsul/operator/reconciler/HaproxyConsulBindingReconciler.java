package io.haproxyconsul.operator.reconciler;

import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBinding;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;

public class HaproxyConsulBindingReconciler implements Reconciler<HaproxyConsulBinding> {
    @Override
    public UpdateControl<HaproxyConsulBinding> reconcile(HaproxyConsulBinding resource, Context<HaproxyConsulBinding> context) {
        return UpdateControl.noUpdate();
    }
}
