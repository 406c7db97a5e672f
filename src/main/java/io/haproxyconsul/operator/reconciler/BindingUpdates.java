package io.haproxyconsul.operator.reconciler;

import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBinding;
import io.haproxyconsul.operator.api.v1alpha1.RemovalGuardSpec;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import java.util.Map;
import java.util.Objects;

/**
 * Which updates of a binding call for a reconcile: a new spec (generation), an approval of a held removal (an
 * annotation, which moves no generation), a finalizer or a deletion. Not its own status writes.
 */
public class BindingUpdates implements OnUpdateFilter<HaproxyConsulBinding> {

    @Override
    public boolean accept(HaproxyConsulBinding updated, HaproxyConsulBinding old) {
        var now = updated.getMetadata();
        var before = old.getMetadata();
        return !Objects.equals(now.getGeneration(), before.getGeneration())
                || !Objects.equals(approval(now.getAnnotations()), approval(before.getAnnotations()))
                || !Objects.equals(now.getFinalizers(), before.getFinalizers())
                || now.getDeletionTimestamp() != null;
    }

    private static String approval(Map<String, String> annotations) {
        return annotations == null ? null : annotations.get(RemovalGuardSpec.APPROVE_ANNOTATION);
    }
}
