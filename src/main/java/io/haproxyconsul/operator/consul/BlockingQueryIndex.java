package io.haproxyconsul.operator.consul;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/** Consul's documented rules for blocking-query indexes and for retrying after errors. */
final class BlockingQueryIndex {

    private BlockingQueryIndex() {
    }

    /**
     * The index to send with the next query. An index that goes backwards (a snapshot restore, a new leader
     * with an older state) resets to 0 so the next answer is the full current state; an index is never 0
     * after an answer, since index 0 does not block.
     */
    static long next(long previous, long returned) {
        if (returned < previous) {
            return 0;
        }
        return Math.max(returned, 1);
    }

    /** Exponential backoff from {@code min}, capped at {@code max}, with jitter between 50% and 100%. */
    static Duration backoff(int failures, Duration min, Duration max, DoubleSupplier random) {
        long exponent = Math.min(failures - 1, 20);
        long millis = Math.min(max.toMillis(), min.toMillis() << exponent);
        return Duration.ofMillis((long) (millis * (0.5 + random.getAsDouble() / 2)));
    }
}
