package io.haproxyconsul.operator.reconciler;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** The conditions of a binding's status, in the shape {@code kubectl wait --for=condition=...} reads. */
public final class BindingConditions {

    public static final String READY = "Ready";
    public static final String CONSUL_SYNCED = "ConsulSynced";
    public static final String CONFIG_VALID = "ConfigValid";
    public static final String ROLLED_OUT = "RolledOut";
    private static final int MAX_MESSAGE = 32_000;

    private BindingConditions() {
    }

    /**
     * Sets a condition, keeping its transition time when its status does not change.
     *
     * @return true when status, reason or message changed
     */
    static boolean set(List<Condition> conditions, long generation, String type, boolean status, String reason,
            String message, Clock clock) {
        var existing = find(conditions, type);
        String statusText = status ? "True" : "False";
        String shortMessage = message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) : message;
        boolean changed = existing.isEmpty() || !statusText.equals(existing.get().getStatus())
                || !reason.equals(existing.get().getReason()) || !shortMessage.equals(existing.get().getMessage());
        if (!changed && Objects.equals(existing.get().getObservedGeneration(), generation)) {
            return false;
        }
        String transition = existing.filter(c -> statusText.equals(c.getStatus()))
                .map(Condition::getLastTransitionTime)
                .orElse(Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString());
        conditions.removeIf(c -> type.equals(c.getType()));
        conditions.add(new ConditionBuilder().withType(type).withStatus(statusText).withReason(reason)
                .withMessage(shortMessage).withObservedGeneration(generation).withLastTransitionTime(transition)
                .build());
        conditions.sort(Comparator.comparing(Condition::getType));
        return changed;
    }

    static Optional<Condition> find(List<Condition> conditions, String type) {
        return conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
    }

    static boolean isFalse(List<Condition> conditions, String type) {
        return find(conditions, type).filter(c -> "False".equals(c.getStatus())).isPresent();
    }
}
