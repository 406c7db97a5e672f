package io.haproxyconsul.operator.consul;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DebouncerTest {

    private final ManualTime time = new ManualTime();
    private final Debouncer<String> debouncer = new Debouncer<>(time, time::nanoTime);
    private final AtomicInteger fired = new AtomicInteger();

    @Test
    void firesOnceMinAfterTheLastChangeOfABurst() {
        for (int i = 0; i < 100; i++) {
            signal();
            time.advance(Duration.ofMillis(5));
        }
        assertThat(fired).hasValue(0);
        time.advance(Duration.ofMillis(1000));
        assertThat(fired).hasValue(1);
    }

    @Test
    void endlessChangesStillFireEveryMax() {
        for (int i = 0; i < 100; i++) {
            signal();
            time.advance(Duration.ofMillis(500));
        }
        // 50 s of changes every 0.5 s with min 1 s and max 4 s: once per 4 s.
        assertThat(fired.get()).isBetween(11, 13);
    }

    @Test
    void zeroMinFiresAtOnce() {
        debouncer.signal("b", Duration.ZERO, Duration.ZERO, fired::incrementAndGet);
        time.advance(Duration.ZERO);
        assertThat(fired).hasValue(1);
    }

    @Test
    void forgottenKeyNeverFires() {
        signal();
        debouncer.forget("b");
        time.advance(Duration.ofSeconds(10));
        assertThat(fired).hasValue(0);
    }

    private void signal() {
        debouncer.signal("b", Duration.ofSeconds(1), Duration.ofSeconds(4), fired::incrementAndGet);
    }
}
