package io.haproxyconsul.operator.config;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.quarkus.arc.Unremovable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.UUID;

/**
 * Lets several operator replicas run: one holds the Lease and reconciles, the others wait to take over. The
 * Quarkus Operator SDK applies it in the prod profile (quarkus.operator-sdk.activate-leader-election-for-profiles).
 */
@ApplicationScoped
public class LeaderElection {

    @Produces
    @Singleton
    @Unremovable
    LeaderElectionConfiguration leaderElection(OperatorConfig config) {
        var election = config.leaderElection();
        // Replicas on one host would share a host name: a random suffix keeps their identities apart.
        String identity = election.identity().orElseGet(() -> "haproxy-consul-operator-" + UUID.randomUUID());
        return new LeaderElectionConfiguration(election.leaseName(), election.leaseNamespace().orElse(null),
                election.leaseDuration(), election.renewDeadline(), election.retryPeriod(), identity, null, true);
    }
}
