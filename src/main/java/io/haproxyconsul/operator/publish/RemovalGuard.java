package io.haproxyconsul.operator.publish;

import io.haproxyconsul.operator.api.v1alpha1.PublishedConfig;
import io.haproxyconsul.operator.api.v1alpha1.RemovalGuardSpec;
import io.haproxyconsul.operator.api.v1alpha1.RemovalHold;
import io.haproxyconsul.operator.render.RenderedConfig;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * Whether a candidate may replace what is served, or removes so much of it (all services, or more than the
 * allowed share of services or servers) that it must wait: an empty answer from a fresh Consul agent, a restored
 * cluster or a wrong datacenter looks exactly like that. A held candidate goes out once it has been what Consul
 * says for {@code holdFor}, or when a person approves its hash. A pure function of its inputs.
 */
public final class RemovalGuard {

    private RemovalGuard() {
    }

    /**
     * @param served the configuration served now, or null (nothing to protect)
     * @param priorHold the hold in status, if any: its start carries over while candidates keep being held
     * @param approvedHash the hash a person approved (annotation), or null
     * @return the hold to report, or empty when the candidate may go out
     */
    public static Optional<RemovalHold> check(PublishedConfig served, RenderedConfig candidate, RemovalGuardSpec spec,
            RemovalHold priorHold, String approvedHash, Instant now) {
        if (served == null || spec.maxRemovalPercent >= 100 || !removesTooMuch(served, candidate, spec)) {
            return Optional.empty();
        }
        String hash = candidate.hash().value();
        if (hash.equals(approvedHash)) {
            return Optional.empty();
        }
        Instant since = priorHold == null ? now : Instant.parse(priorHold.since);
        var hold = new RemovalHold();
        hold.configHash = hash;
        hold.since = since.truncatedTo(ChronoUnit.SECONDS).toString();
        hold.services = candidate.services();
        hold.servers = candidate.servers();
        hold.servedServices = served.services;
        hold.servedServers = served.servers;
        var holdFor = spec.holdForDuration();
        boolean persisted = !holdFor.isZero() && !now.isBefore(since.plus(holdFor));
        return persisted ? Optional.empty() : Optional.of(hold);
    }

    private static boolean removesTooMuch(PublishedConfig served, RenderedConfig candidate, RemovalGuardSpec spec) {
        return removesTooMuch(served.services, candidate.services(), spec.maxRemovalPercent)
                || removesTooMuch(served.servers, candidate.servers(), spec.maxRemovalPercent);
    }

    private static boolean removesTooMuch(int served, int candidate, int maxPercent) {
        if (served == 0 || candidate >= served) {
            return false;
        }
        return candidate == 0 || (served - candidate) * 100L > (long) served * maxPercent;
    }
}
