package io.haproxyconsul.operator.publish;

import static org.assertj.core.api.Assertions.assertThat;

import io.haproxyconsul.operator.api.v1alpha1.PublishedConfig;
import io.haproxyconsul.operator.api.v1alpha1.RemovalGuardSpec;
import io.haproxyconsul.operator.render.RenderedConfig;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RemovalGuardTest {

    private static final Instant NOW = Instant.parse("2026-12-03T10:00:00Z");
    private final RemovalGuardSpec spec = new RemovalGuardSpec();
    private final PublishedConfig served = served(10, 40);

    @Test
    void anEmptyCatalogIsHeldWithTheCounts() {
        var hold = RemovalGuard.check(served, candidate(0, 0), spec, null, null, NOW);

        assertThat(hold).hasValueSatisfying(h -> {
            assertThat(h.configHash).isEqualTo(candidate(0, 0).hash().value());
            assertThat(h.since).isEqualTo("2026-12-03T10:00:00Z");
            assertThat(h.servedServices).isEqualTo(10);
            assertThat(h.servedServers).isEqualTo(40);
            assertThat(h.services).isZero();
        });
    }

    @Test
    void removingMoreThanTheAllowedShareOfServersIsHeldAndUpToItIsNot() {
        assertThat(RemovalGuard.check(served, candidate(10, 19), spec, null, null, NOW)).isPresent();
        assertThat(RemovalGuard.check(served, candidate(10, 20), spec, null, null, NOW)).isEmpty();
        assertThat(RemovalGuard.check(served, candidate(4, 40), spec, null, null, NOW)).isPresent();
        assertThat(RemovalGuard.check(served, candidate(12, 60), spec, null, null, NOW)).isEmpty();
    }

    @Test
    void aHoldEndsWhenItHasLastedLongEnough() {
        var first = RemovalGuard.check(served, candidate(0, 0), spec, null, null, NOW).orElseThrow();

        assertThat(RemovalGuard.check(served, candidate(1, 1), spec, first, null, NOW.plusSeconds(599)))
                .hasValueSatisfying(h -> assertThat(h.since).isEqualTo(first.since));
        assertThat(RemovalGuard.check(served, candidate(1, 1), spec, first, null, NOW.plusSeconds(600))).isEmpty();
    }

    @Test
    void anApprovedHashGoesOutAtOnceAndOnlyThatOne() {
        String approved = candidate(0, 0).hash().value();

        assertThat(RemovalGuard.check(served, candidate(0, 0), spec, null, approved, NOW)).isEmpty();
        assertThat(RemovalGuard.check(served, candidate(1, 1), spec, null, approved, NOW)).isPresent();
    }

    @Test
    void aZeroHoldWaitsForApprovalAndAHundredPercentTurnsTheGuardOff() {
        spec.holdFor = "0";
        var first = RemovalGuard.check(served, candidate(0, 0), spec, null, null, NOW).orElseThrow();
        assertThat(RemovalGuard.check(served, candidate(0, 0), spec, first, null, NOW.plusSeconds(86_400)))
                .isPresent();

        spec.maxRemovalPercent = 100;
        assertThat(RemovalGuard.check(served, candidate(0, 0), spec, null, null, NOW)).isEmpty();
    }

    @Test
    void nothingServedYetIsNothingToProtect() {
        assertThat(RemovalGuard.check(null, candidate(0, 0), spec, null, null, NOW)).isEmpty();
        assertThat(RemovalGuard.check(served(0, 0), candidate(0, 0), spec, null, null, NOW)).isEmpty();
    }

    private static PublishedConfig served(int services, int servers) {
        var config = new PublishedConfig();
        config.services = services;
        config.servers = servers;
        return config;
    }

    private static RenderedConfig candidate(int services, int servers) {
        String text = services + " services, " + servers + " servers";
        return RenderedConfig.of(text, services, servers, "built-in", Set.of(), false);
    }
}
