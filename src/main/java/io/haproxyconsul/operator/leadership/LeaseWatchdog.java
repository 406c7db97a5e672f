package io.haproxyconsul.operator.leadership;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Halts the leader when its Lease has gone unrenewed for the renew deadline, before another replica may take it
 * (a lease duration after the last renewal). fabric8's elector checks its deadline only between two renewal
 * attempts, and one attempt can block far longer (the request timeout plus the client's retries), so this keeps its
 * own time and learns the renewals from the Lease itself.
 */
final class LeaseWatchdog {

    private final Clock clock;
    private final Duration renewDeadline;
    private final Halt halt;
    /** The Lease's last renewal while this replica leads; null when it does not lead. */
    private final AtomicReference<Instant> lastRenewal = new AtomicReference<>();

    LeaseWatchdog(Clock clock, Duration renewDeadline, Halt halt) {
        this.clock = clock;
        this.renewDeadline = renewDeadline;
        this.halt = halt;
    }

    /** From now until the first read of the Lease says when it was taken. */
    void startedLeading() {
        lastRenewal.set(clock.instant());
    }

    /** The renew time the Lease shows while this replica holds it: the time the other replicas count from. */
    void renewed(Instant renewTime) {
        lastRenewal.updateAndGet(last -> last == null ? null : renewTime);
    }

    void stoppedLeading() {
        lastRenewal.set(null);
    }

    void check() {
        Instant last = lastRenewal.get();
        if (last != null && !clock.instant().isBefore(last.plus(renewDeadline))) {
            halt.halt("its Lease was last renewed at " + last + ", the renew deadline (" + renewDeadline
                    + ") ago: another replica may take it soon and must not find this one still writing");
        }
    }
}
