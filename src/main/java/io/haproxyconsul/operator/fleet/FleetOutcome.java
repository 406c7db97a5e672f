package io.haproxyconsul.operator.fleet;

import io.haproxyconsul.operator.api.v1alpha1.PublishedConfig;
import io.haproxyconsul.operator.runtime.PodServers;

/** What the fleet stage did and found: where the pods stand, or that they refused a configuration. */
public sealed interface FleetOutcome {

    /**
     * The pods load (or are moving to) {@code podConfig}; {@code servers} says which serve the current servers.
     *
     * @param provenGood the configuration every pod was found running and Ready on just before a new structure
     *        replaced it, or null: it becomes the one to return to, even if no reconcile saw its rollout end
     */
    record Progress(PublishedConfig podConfig, Rollout rollout, PodServers.Report servers,
            PublishedConfig provenGood) implements FleetOutcome {
        /** Every pod loads podConfig, is Ready, and serves the current servers. */
        public boolean complete() {
            return rollout.complete() && servers.synced() == rollout.desired()
                    && servers.pods().size() == rollout.desired();
        }
    }

    /** The pods refused {@code refused}; the fleet goes back to the last known good configuration. */
    record RolledBack(PublishedConfig refused, String failure, PublishedConfig goodConfig,
            PublishedConfig goodPodConfig, Rollout rollout) implements FleetOutcome {
    }

    /** The pods refused {@code refused} and no configuration has worked in them before. */
    record Failed(PublishedConfig refused, String failure, Rollout rollout) implements FleetOutcome {
    }
}
