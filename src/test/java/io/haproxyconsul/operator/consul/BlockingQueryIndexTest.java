package io.haproxyconsul.operator.consul;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BlockingQueryIndexTest {

    @Test
    void followsTheReturnedIndex() {
        assertThat(BlockingQueryIndex.next(0, 42)).isEqualTo(42);
        assertThat(BlockingQueryIndex.next(42, 43)).isEqualTo(43);
        assertThat(BlockingQueryIndex.next(42, 42)).isEqualTo(42);
    }

    @Test
    void resetsWhenTheIndexGoesBackwards() {
        assertThat(BlockingQueryIndex.next(42, 7)).isZero();
    }

    @Test
    void neverSendsZeroAfterAnAnswer() {
        assertThat(BlockingQueryIndex.next(0, 0)).isEqualTo(1);
    }

    @Test
    void backoffDoublesUpToTheCapWithJitter() {
        var min = Duration.ofMillis(250);
        var max = Duration.ofSeconds(30);
        assertThat(BlockingQueryIndex.backoff(1, min, max, () -> 1.0)).isEqualTo(Duration.ofMillis(250));
        assertThat(BlockingQueryIndex.backoff(3, min, max, () -> 1.0)).isEqualTo(Duration.ofMillis(1000));
        assertThat(BlockingQueryIndex.backoff(3, min, max, () -> 0.0)).isEqualTo(Duration.ofMillis(500));
        assertThat(BlockingQueryIndex.backoff(50, min, max, () -> 1.0)).isEqualTo(max);
    }
}
