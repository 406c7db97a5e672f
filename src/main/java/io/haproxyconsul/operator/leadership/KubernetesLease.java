package io.haproxyconsul.operator.leadership;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.RequestConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaderElectionRecord;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * The Lease through fabric8's {@link LeaseLock} (the elector's own reading and optimistic writing of it), with
 * requests that neither wait nor retry for long: a read that takes longer is no news to the watchdog, and a release
 * that cannot be made leaves the standby to wait for the Lease to expire.
 */
final class KubernetesLease implements OwnLease {

    /** fabric8 gives a request this much time plus as much again (at most 5 s) before it fails. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(1);

    private final KubernetesClient client;
    private final LeaseLock lock;
    private final Clock clock;

    KubernetesLease(KubernetesClient client, LeaseClaim claim, Clock clock) {
        var requests = new RequestConfigBuilder(client.getConfiguration().getRequestConfig())
                .withRequestTimeout((int) REQUEST_TIMEOUT.toMillis()).withRequestRetryBackoffLimit(0).build();
        this.client = client.newClient(requests).adapt(KubernetesClient.class);
        this.lock = new LeaseLock(claim.namespace(), claim.name(), claim.identity());
        this.clock = clock;
    }

    @Override
    public Optional<Instant> renewTime() {
        var record = lock.get(client);
        return holds(record) ? Optional.of(record.getRenewTime().toInstant()) : Optional.empty();
    }

    /**
     * As fabric8's {@code LeaderElector.release()} and client-go do: no holder and a one-second lease, written only
     * over the version just read. JOSDK's elector never releases (it is built with releaseOnCancel=false) and does
     * not expose its elector.
     */
    @Override
    public boolean release() {
        var current = lock.get(client);
        if (!holds(current)) {
            return false;
        }
        var now = ZonedDateTime.now(clock);
        lock.update(client, new LeaderElectionRecord("", Duration.ofSeconds(1), now, now,
                current.getLeaderTransitions()));
        return true;
    }

    private boolean holds(LeaderElectionRecord record) {
        return record != null && lock.identity().equals(record.getHolderIdentity());
    }
}
