package io.haproxyconsul.operator.leadership;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.runtime.ShutdownEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LeadershipTest {

    private static final Duration RENEW_DEADLINE = Duration.ofSeconds(10);
    private static final Duration RETRY_PERIOD = Duration.ofSeconds(2);

    /** The Lease as the test says it is. */
    private static final class FakeLease implements OwnLease {
        Instant renewTime;
        RuntimeException failure;
        int releases;

        @Override
        public Optional<Instant> renewTime() {
            if (failure != null) {
                throw failure;
            }
            return Optional.ofNullable(renewTime);
        }

        @Override
        public boolean release() {
            if (failure != null) {
                throw failure;
            }
            releases++;
            return true;
        }
    }

    private final ManualClock clock = new ManualClock();
    private final List<String> halts = new ArrayList<>();
    private final FakeLease lease = new FakeLease();
    private final Map<Duration, Runnable> repeated = new HashMap<>();
    private final Leadership leadership = new Leadership(new LeaseClaim("operators", "lease", "a"), RETRY_PERIOD,
            new LeaseWatchdog(clock, RENEW_DEADLINE, halts::add), () -> lease, halts::add, repeated::put);

    @Test
    void aLeaderThatLosesItsLeaseHaltsAtOnce() {
        leadership.startedLeading();
        leadership.stoppedLeading();

        assertThat(halts).singleElement().asString().contains("no longer holds its Lease");
        assertThat(lease.releases).isZero();
    }

    @Test
    void aLeaderAskedToStopReleasesItsLeaseAndDoesNotHalt() {
        leadership.startedLeading();
        leadership.onShutdown(new ShutdownEvent());
        leadership.stoppedLeading();

        assertThat(lease.releases).isOne();
        clock.advance(RENEW_DEADLINE.multipliedBy(2));
        check();
        assertThat(halts).isEmpty();
    }

    @Test
    void aLeaderThatCannotReleaseItsLeaseWhileStoppingIsStillHaltedAtTheRenewDeadline() {
        leadership.startedLeading();
        leadership.onShutdown(new ShutdownEvent());
        lease.failure = new KubernetesClientException("connection refused");
        leadership.stoppedLeading();
        assertThat(halts).isEmpty();

        clock.advance(RENEW_DEADLINE);
        check();
        assertThat(halts).hasSize(1);
    }

    @Test
    void renewalsReadFromTheLeaseMoveTheDeadline() {
        leadership.startedLeading();
        clock.advance(Duration.ofSeconds(8));
        lease.renewTime = clock.instant();
        readLease();
        clock.advance(Duration.ofSeconds(8));
        check();
        assertThat(halts).isEmpty();

        clock.advance(Duration.ofSeconds(2));
        check();
        assertThat(halts).hasSize(1);
    }

    @Test
    void aLeaseThatCannotBeReadIsNoNewsAndTheDeadlineStands() {
        leadership.startedLeading();
        lease.failure = new KubernetesClientException("timeout");
        clock.advance(RENEW_DEADLINE);
        readLease();
        check();
        assertThat(halts).hasSize(1);
    }

    private void readLease() {
        repeated.get(RETRY_PERIOD).run();
    }

    private void check() {
        repeated.get(Leadership.CHECK_INTERVAL).run();
    }
}
