package io.haproxyconsul.operator.reconciler;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBinding;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;

/** The conditions of a binding's status, in the shape {@code kubectl wait --for=condition=...} reads. */
public final class BindingConditions {

    public static final String READY = "Ready";
    public static final String CONSUL_SYNCED = "ConsulSynced";
    public static final String CONFIG_VALID = "ConfigValid";
    public static final String ROLLED_OUT = "RolledOut";

    private BindingConditions() {
    }

    /**
     * Sets a condition, keeping its transition time when the status does not change.
     *
     * @return true when status, reason or message changed
     */
    public static boolean set(HaproxyConsulBinding binding, String type, boolean status, String reason,
            String message, Clock clock) {
        List<Condition> conditions = binding.getStatus().conditions;
        var existing = conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
        String statusText = status ? "True" : "False";
        String shortMessage = message.length() > 32_000 ? message.substring(0, 32_000) : message;
        if (existing.isPresent() && statusText.equals(existing.get().getStatus())
                && reason.equals(existing.get().getReason()) && shortMessage.equals(existing.get().getMessage())
                && Objects.equals(existing.get().getObservedGeneration(), binding.getMetadata().getGeneration())) {
            return false;
        }
        String transition = existing.filter(c -> statusText.equals(c.getStatus()))
                .map(Condition::getLastTransitionTime)
                .orElse(Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString());
        boolean changed = existing.isEmpty() || !statusText.equals(existing.get().getStatus())
                || !reason.equals(existing.get().getReason()) || !shortMessage.equals(existing.get().getMessage());
        conditions.removeIf(c -> type.equals(c.getType()));
        conditions.add(new ConditionBuilder().withType(type).withStatus(statusText).withReason(reason)
                .withMessage(shortMessage).withObservedGeneration(binding.getMetadata().getGeneration())
                .withLastTransitionTime(transition).build());
        conditions.sort(java.util.Comparator.comparing(Condition::getType));
        return changed;
    }
}
