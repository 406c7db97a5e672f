package io.haproxyconsul.operator.reconciler;

import static io.haproxyconsul.operator.reconciler.BindingConditions.CONFIG_VALID;
import static io.haproxyconsul.operator.reconciler.BindingConditions.CONSUL_SYNCED;
import static io.haproxyconsul.operator.reconciler.BindingConditions.READY;
import static io.haproxyconsul.operator.reconciler.BindingConditions.ROLLED_OUT;

import io.haproxyconsul.operator.api.v1alpha1.FleetStatus;
import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBindingStatus;
import io.haproxyconsul.operator.api.v1alpha1.PublishedConfig;
import io.haproxyconsul.operator.api.v1alpha1.RemovalGuardSpec;
import io.haproxyconsul.operator.api.v1alpha1.RemovalHold;
import io.haproxyconsul.operator.fleet.FleetOutcome;
import io.haproxyconsul.operator.fleet.Rollout;
import io.haproxyconsul.operator.publish.Publication;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Decides a binding's whole status from the prior one and what each stage of a reconcile returned: every
 * condition, Ready last, and the Events that follow from what changed. A pure function of its inputs.
 */
public final class BindingStatusBuilder {

    static final int MAX_REJECTED_VALUES = 20;

    /** One Kubernetes Event to record on the binding. */
    public record BindingEvent(boolean warning, String reason, String message) {
    }

    /** The status to write and the Events to record. */
    public record Result(HaproxyConsulBindingStatus status, List<BindingEvent> events) {
    }

    private final HaproxyConsulBindingStatus prior;
    private final HaproxyConsulBindingStatus status;
    private final long generation;
    private final Clock clock;
    private final List<BindingEvent> events = new ArrayList<>();

    private BindingStatusBuilder(HaproxyConsulBindingStatus prior, long generation, Clock clock) {
        this.prior = prior;
        this.status = copyOf(prior);
        this.generation = generation;
        this.clock = clock;
    }

    public static Result build(HaproxyConsulBindingStatus prior, long generation, LoopOutcome outcome, Clock clock) {
        var builder = new BindingStatusBuilder(prior == null ? new HaproxyConsulBindingStatus() : prior, generation,
                clock);
        return builder.decide(outcome);
    }

    private Result decide(LoopOutcome outcome) {
        status.observedGeneration = generation;
        if (outcome.invalidSpec() != null) {
            condition(CONSUL_SYNCED, false, "InvalidSpec", outcome.invalidSpec(), true);
        } else {
            consul(outcome.consul());
        }
        if (outcome.rejectedValues() != null) {
            rejectedValues(outcome.rejectedValues());
        }
        if (outcome.publication() != null) {
            publication(outcome.publication());
        }
        fleet(outcome.fleet());
        ready(outcome);
        return new Result(status, List.copyOf(events));
    }

    private void consul(ConsulView consul) {
        if (consul.unreachable().isPresent()) {
            condition(CONSUL_SYNCED, false, "ConsulUnreachable", "Consul cannot be reached"
                    + (status.currentConfig != null ? " (serving the last configuration): " : ": ")
                    + consul.unreachable().get(), true);
        } else if (!consul.answered()) {
            condition(CONSUL_SYNCED, false, "WaitingForConsul", "waiting for the first answers from Consul", false);
        } else {
            condition(CONSUL_SYNCED, true, "Synced", "watching Consul", false);
        }
    }

    private void rejectedValues(List<String> rejected) {
        var kept = rejected.stream().limit(MAX_REJECTED_VALUES).toList();
        if (!kept.equals(prior.rejectedValues) && !kept.isEmpty()) {
            events.add(new BindingEvent(true, "ConsulValueRejected", rejected.size() + " value(s) left out: "
                    + rejected.stream().limit(5).toList()));
        }
        status.rejectedValues = new ArrayList<>(kept);
    }

    private void publication(Publication publication) {
        if (!(publication instanceof Publication.Held)) {
            status.removalHold = null;
        }
        if (publication instanceof Publication.Published published) {
            published(published);
        } else if (publication instanceof Publication.TemplateInvalid invalid) {
            configInvalid("TemplateInvalid", invalid.message(), null);
        } else if (publication instanceof Publication.Refused refused) {
            status.rejectedConfigHash = refused.hash();
            configInvalid("ValidationFailed", "HAProxy rejected configuration " + refused.hash() + ": "
                    + refused.haproxyError(), refused.haproxyError());
        } else if (publication instanceof Publication.TooLarge tooLarge) {
            status.rejectedConfigHash = tooLarge.hash();
            configInvalid("ConfigTooLarge", tooLarge.message(), null);
        } else if (publication instanceof Publication.Held held) {
            status.removalHold = held.hold();
        }
        // Publication.KnownBad: refused before, and status already says why.
    }

    private void published(Publication.Published published) {
        var config = published.config();
        status.currentConfig = config;
        if (published.isNew()) {
            status.lastValidationError = null;
            status.rejectedConfigHash = null;
            status.rejectedStructureHash = null;
            events.add(new BindingEvent(false, "ConfigPublished", "published " + config.configMapName + " ("
                    + config.services + " services, " + config.servers + " servers, " + config.bytes + " bytes)"));
        }
        condition(CONFIG_VALID, true, "Published", "configuration " + config.hash + " is published", false);
    }

    private void fleet(FleetOutcome fleet) {
        if (fleet == null) {
            status.fleet = null;
            status.conditions.removeIf(c -> ROLLED_OUT.equals(c.getType()));
            if (status.currentConfig != null) {
                // Without a fleet, a configuration is known good once HAProxy's check passed.
                status.lastKnownGoodConfig = status.currentConfig;
            }
            return;
        }
        if (fleet instanceof FleetOutcome.Progress progress) {
            progress(progress);
        } else if (fleet instanceof FleetOutcome.RolledBack rolledBack) {
            refusedByPods(rolledBack.refused(), rolledBack.failure());
            status.currentConfig = rolledBack.goodConfig();
            status.fleet = fleetStatus(rolledBack.goodPodConfig(), rolledBack.rollout(), 0);
            if (condition(ROLLED_OUT, false, "RolledBack", "configuration " + rolledBack.refused().hash
                    + " failed in the pods; returning to the last known good configuration "
                    + rolledBack.goodConfig().hash, false)) {
                events.add(new BindingEvent(true, "RolledBack", "returning the fleet to configuration "
                        + rolledBack.goodPodConfig().hash + ": " + rolledBack.failure()));
            }
        } else if (fleet instanceof FleetOutcome.Failed failed) {
            refusedByPods(failed.refused(), failed.failure());
            status.fleet = fleetStatus(failed.refused(), failed.rollout(), 0);
            condition(ROLLED_OUT, false, "RolloutFailed", "configuration " + failed.refused().hash
                    + " failed in the pods and there is no last known good configuration to return to", true);
        }
    }

    private void progress(FleetOutcome.Progress progress) {
        var rollout = progress.rollout();
        var pod = progress.podConfig();
        status.fleet = fleetStatus(pod, rollout, progress.servers().synced());
        var provenGood = progress.provenGood();
        if (provenGood != null) {
            status.fleet.lastKnownGoodPodConfig = provenGood;
            if (prior.currentConfig != null
                    && Objects.equals(prior.currentConfig.structureHash, provenGood.structureHash)) {
                status.lastKnownGoodConfig = prior.currentConfig;
            }
        }
        String serving = status.currentConfig == null || pod.hash.equals(status.currentConfig.hash) ? ""
                : " and serve the servers of configuration " + status.currentConfig.hash;
        if (progress.complete()) {
            status.lastKnownGoodConfig = status.currentConfig;
            status.fleet.lastKnownGoodPodConfig = pod;
            condition(ROLLED_OUT, true, "RolledOut", "all " + rollout.desired() + " pods run configuration "
                    + pod.hash + serving, false);
            return;
        }
        String waiting = progress.servers().firstNotSynced().map(p -> "; pod " + p.pod() + ": " + p.detail())
                .orElse("");
        condition(ROLLED_OUT, false, "RollingOut", rollout.updated() + " of " + rollout.desired()
                + " pods on configuration " + pod.hash + ", " + rollout.ready() + " ready, "
                + progress.servers().synced() + " serving the current servers" + waiting, false);
    }

    private FleetStatus fleetStatus(PublishedConfig podConfig, Rollout rollout, int synced) {
        var fleet = new FleetStatus();
        fleet.podConfig = podConfig;
        fleet.lastKnownGoodPodConfig = prior.fleet == null ? null : prior.fleet.lastKnownGoodPodConfig;
        fleet.desiredReplicas = rollout.desired();
        fleet.updatedReplicas = rollout.updated();
        fleet.readyReplicas = rollout.ready();
        fleet.syncedReplicas = synced;
        return fleet;
    }

    /**
     * The pods' HAProxy refused a configuration the operator's accepted (another version, say): neither it nor
     * another of its structure is rolled out again until the template, KV or spec change.
     */
    private void refusedByPods(PublishedConfig refused, String failure) {
        status.rejectedConfigHash = refused.hash;
        status.rejectedStructureHash = refused.structureHash;
        configInvalid("FleetValidationFailed", "the HAProxy pods rejected configuration " + refused.hash + ": "
                + failure, failure);
    }

    private void configInvalid(String reason, String message, String haproxyError) {
        status.lastValidationError = haproxyError;
        condition(CONFIG_VALID, false, reason, message, true);
    }

    /** Ready, last: the current configuration is published and, with a fleet, every pod serves it. */
    private void ready(LoopOutcome outcome) {
        var conditions = status.conditions;
        if (outcome.invalidSpec() != null) {
            condition(READY, false, "InvalidSpec", outcome.invalidSpec(), false);
        } else if (status.removalHold != null) {
            condition(READY, false, "RemovalHeld", held(status.removalHold), true);
        } else if (status.currentConfig == null && BindingConditions.find(conditions, CONFIG_VALID).isEmpty()) {
            condition(READY, false, "WaitingForConsul", "no configuration published yet", false);
        } else if (BindingConditions.isFalse(conditions, CONFIG_VALID)) {
            copy(CONFIG_VALID);
        } else if (BindingConditions.isFalse(conditions, ROLLED_OUT)) {
            copy(ROLLED_OUT);
        } else {
            condition(READY, true, "Published", "configuration " + status.currentConfig.hash
                    + " is published in ConfigMap " + status.currentConfig.configMapName
                    + (status.fleet != null ? " and runs in every pod" : ""), false);
        }
    }

    private static String held(RemovalHold hold) {
        return "configuration " + hold.configHash + " would leave " + hold.services + " of " + hold.servedServices
                + " services and " + hold.servers + " of " + hold.servedServers + " servers; the last configuration "
                + "keeps serving (held since " + hold.since + "; approve with the annotation "
                + RemovalGuardSpec.APPROVE_ANNOTATION + "=" + hold.configHash + ")";
    }

    private void copy(String type) {
        var source = BindingConditions.find(status.conditions, type).orElseThrow();
        condition(READY, false, source.getReason(), source.getMessage(), false);
    }

    /** Sets a condition; a change to False with {@code warn} is also a Warning Event of the same reason. */
    private boolean condition(String type, boolean value, String reason, String message, boolean warn) {
        boolean changed = BindingConditions.set(status.conditions, generation, type, value, reason, message, clock);
        if (changed && warn && !value) {
            events.add(new BindingEvent(true, reason, message));
        }
        return changed;
    }

    private static HaproxyConsulBindingStatus copyOf(HaproxyConsulBindingStatus prior) {
        var copy = new HaproxyConsulBindingStatus();
        copy.observedGeneration = prior.observedGeneration;
        copy.conditions = new ArrayList<>(Objects.requireNonNullElse(prior.conditions, List.of()));
        copy.currentConfig = prior.currentConfig;
        copy.lastKnownGoodConfig = prior.lastKnownGoodConfig;
        copy.fleet = prior.fleet;
        copy.lastValidationError = prior.lastValidationError;
        copy.rejectedConfigHash = prior.rejectedConfigHash;
        copy.rejectedStructureHash = prior.rejectedStructureHash;
        copy.removalHold = prior.removalHold;
        copy.rejectedValues = new ArrayList<>(Objects.requireNonNullElse(prior.rejectedValues, List.of()));
        return copy;
    }
}
