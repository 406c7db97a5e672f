package io.haproxyconsul.operator.config;

import io.haproxyconsul.operator.leadership.Leadership;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.quarkus.arc.Unremovable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Lets several operator replicas run: one holds the Lease and reconciles, the others wait to take over. The
 * Quarkus Operator SDK applies it in the prod profile (quarkus.operator-sdk.activate-leader-election-for-profiles).
 * {@link Leadership} decides what happens when this replica stops leading, so JOSDK must not exit by itself.
 */
@ApplicationScoped
public class LeaderElection {

    @Produces
    @Singleton
    @Unremovable
    LeaderElectionConfiguration leaderElection(OperatorConfig config, Leadership leadership) {
        var election = config.leaderElection();
        return new LeaderElectionConfiguration(election.leaseName(), election.leaseNamespace().orElse(null),
                election.leaseDuration(), election.renewDeadline(), election.retryPeriod(), leadership.identity(),
                leadership.callbacks(), false);
    }
}
