package io.haproxyconsul.operator.bench;

import java.util.List;
import java.util.Locale;

/**
 * How long one side took to show each change of a kind, in milliseconds; -1 for a change it did not show within
 * the benchmark's timeout.
 */
record Latencies(List<Long> millis) {

    Latencies {
        millis = List.copyOf(millis);
    }

    private List<Long> seen() {
        return millis.stream().filter(m -> m >= 0).sorted().toList();
    }

    long timeouts() {
        return millis.stream().filter(m -> m < 0).count();
    }

    /** The nearest-rank percentile of the changes seen, -1 when none was. */
    long percentile(int p) {
        var sorted = seen();
        return sorted.isEmpty() ? -1 : sorted.get(Math.min(sorted.size() - 1, (sorted.size() * p + 99) / 100 - 1));
    }

    /** {@code p50 / p95 / max}. */
    String summary() {
        return percentile(50) + " / " + percentile(95) + " / " + percentile(100);
    }

    /** This side's percentile over the other's, as {@code 0.42}. */
    String ratioTo(Latencies other, int p) {
        long mine = percentile(p);
        long theirs = other.percentile(p);
        return mine < 0 || theirs < 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", (double) Math.max(1, mine)
                / Math.max(1, theirs));
    }

    /** Polls every 2 ms, the benchmarks' resolution. */
    static void pause() {
        try {
            Thread.sleep(2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
