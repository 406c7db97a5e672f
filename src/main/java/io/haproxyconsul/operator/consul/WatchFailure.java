package io.haproxyconsul.operator.consul;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * A watch whose queries fail: what it watches, since when (its first failure in a row) and the latest error.
 *
 * @param since in seconds, so that one outage keeps one value however often its queries are retried
 */
record WatchFailure(String watch, Instant since, String error) {

    /** {@code previous} continued by one more failure, or the first failure of a run when there is none. */
    static WatchFailure after(WatchFailure previous, String watch, Throwable cause, Instant now) {
        String error = Objects.requireNonNullElse(cause.getMessage(), cause.getClass().getSimpleName());
        return new WatchFailure(watch, previous == null ? now.truncatedTo(ChronoUnit.SECONDS) : previous.since, error);
    }

    String message() {
        return watch + " failing since " + since + ": " + error;
    }
}
