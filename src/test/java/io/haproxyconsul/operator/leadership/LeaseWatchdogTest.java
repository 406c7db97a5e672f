package io.haproxyconsul.operator.leadership;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LeaseWatchdogTest {

    private static final Duration RENEW_DEADLINE = Duration.ofSeconds(10);

    private final ManualClock clock = new ManualClock();
    private final List<String> halts = new ArrayList<>();
    private final LeaseWatchdog watchdog = new LeaseWatchdog(clock, RENEW_DEADLINE, halts::add);

    @Test
    void aLeaderWhoseLeaseGoesUnrenewedForTheRenewDeadlineHalts() {
        watchdog.startedLeading();
        clock.advance(RENEW_DEADLINE.minusMillis(1));
        watchdog.check();
        assertThat(halts).isEmpty();

        clock.advance(Duration.ofMillis(1));
        watchdog.check();
        assertThat(halts).singleElement().asString().contains("renew deadline");
    }

    @Test
    void renewalsKeepTheLeaderRunning() {
        watchdog.startedLeading();
        for (int i = 0; i < 20; i++) {
            clock.advance(Duration.ofSeconds(2));
            watchdog.renewed(clock.instant());
            watchdog.check();
        }
        assertThat(halts).isEmpty();
    }

    @Test
    void theDeadlineCountsFromTheRenewTimeTheLeaseShowsNotFromWhenItWasRead() {
        watchdog.startedLeading();
        // The renewal request took 4 s to come back: the other replicas count from when it was made.
        watchdog.renewed(clock.instant().minusSeconds(4));
        clock.advance(RENEW_DEADLINE.minusSeconds(4));
        watchdog.check();
        assertThat(halts).hasSize(1);
    }

    @Test
    void aReplicaThatDoesNotLeadNeverHalts() {
        watchdog.renewed(clock.instant());
        clock.advance(RENEW_DEADLINE.multipliedBy(3));
        watchdog.check();

        watchdog.startedLeading();
        watchdog.stoppedLeading();
        watchdog.renewed(clock.instant());
        clock.advance(RENEW_DEADLINE.multipliedBy(3));
        watchdog.check();
        assertThat(halts).isEmpty();
    }
}
