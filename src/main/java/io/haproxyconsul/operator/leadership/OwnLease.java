package io.haproxyconsul.operator.leadership;

import java.time.Instant;
import java.util.Optional;

/** The leader-election Lease as this replica sees it. */
interface OwnLease {

    /** The Lease's renew time while this replica holds it; empty when another does, or nobody. */
    Optional<Instant> renewTime();

    /** Hands the Lease over, so that a standby takes it at its next try instead of when it expires. */
    boolean release();
}
