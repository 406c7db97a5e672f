package io.haproxyconsul.operator.consul;

import io.haproxyconsul.operator.config.OperatorConfig;
import io.haproxyconsul.operator.metrics.OperatorMetrics;
import io.vertx.core.Future;
import java.util.Objects;
import java.util.function.LongFunction;
import org.jboss.logging.Logger;

/**
 * One question asked of one Consul again and again with blocking queries. It keeps watching through errors
 * (backing off with jitter) and tells its listener when Consul's index moves, the answer differs or the watch
 * answers again after failing: a moved index with an equal answer still tells the catalog mirror that something
 * changed. After a failure, and after the index went backwards, the next query does not block: a Consul agent
 * that replaced the one that failed has indexes of its own, and a query parked at an index of the old one would
 * wait the whole blocking wait for an answer it already has. Not thread-safe: one Vert.x context runs it.
 */
final class BlockingWatch<T> {

    private static final Logger LOG = Logger.getLogger(BlockingWatch.class);

    record Answer<T>(T value, long index) {
    }

    /** Hears of changes: each call comes after {@link #latest()}, {@link #index()} and {@link #failure()} moved. */
    interface Listener {
        /**
         * @param restarted Consul's index went backwards: a new agent or a restored snapshot, so whatever was read
         *     of it before belongs to another state
         * @param nanos how long the query took
         */
        void answered(boolean restarted, long nanos);

        void failed();
    }

    private final String description;
    private final String kind;
    private final OperatorConfig.Consul timing;
    private final WatchClock clock;
    private final Retries retries;
    private final OperatorMetrics metrics;
    private final LongFunction<Future<Answer<T>>> query;
    private final Listener listener;

    private volatile T latest;
    private volatile WatchFailure failure;
    private long index;
    /** Whether the next query waits at {@link #index}: not the first, nor one after a failure or a reset. */
    private boolean blocking;
    private int failures;
    private Runnable cancelNext = () -> {
    };
    private boolean stopped;

    /**
     * @param kind the metrics' name for this kind of query
     * @param query asks Consul, blocking at the given index unless it is 0
     */
    BlockingWatch(String description, String kind, OperatorConfig.Consul timing, WatchClock clock, Retries retries,
            OperatorMetrics metrics, LongFunction<Future<Answer<T>>> query, Listener listener) {
        this.description = description;
        this.kind = kind;
        this.timing = timing;
        this.clock = clock;
        this.retries = retries;
        this.metrics = metrics;
        this.query = query;
        this.listener = listener;
    }

    void start() {
        poll();
    }

    void stop() {
        stopped = true;
        cancelNext.run();
    }

    /** The latest answer, or null before the first one. Read from any thread. */
    T latest() {
        return latest;
    }

    /** Consul's index of the latest answer, 0 before the first one. */
    long index() {
        return index;
    }

    /** Why the queries fail, or null while they succeed. Read from any thread. */
    WatchFailure failure() {
        return failure;
    }

    private void poll() {
        if (stopped) {
            return;
        }
        long started = clock.nanoTime().getAsLong();
        query.apply(blocking ? index : 0).onComplete(result -> {
            if (stopped) {
                return;
            }
            if (result.succeeded()) {
                accept(result.result(), clock.nanoTime().getAsLong() - started);
                // Consul may answer at once when many writes happen; a short pause bounds our request rate.
                cancelNext = clock.scheduler().schedule(timing.minQueryInterval(), this::poll);
            } else {
                fail(result.cause());
            }
        });
    }

    private void accept(Answer<T> answer, long nanos) {
        metrics.consulAnswered(kind, nanos);
        long previous = index;
        long next = BlockingQueryIndex.next(index, answer.index());
        boolean restarted = next == 0;
        index = restarted ? BlockingQueryIndex.next(0, answer.index()) : next;
        blocking = !restarted;
        failures = 0;
        boolean recovered = failure != null;
        boolean changed = index != previous || !Objects.equals(latest, answer.value()) || recovered;
        latest = answer.value();
        failure = null;
        if (recovered) {
            retries.consulAnswersAgain();
        }
        if (changed) {
            listener.answered(restarted, nanos);
        }
    }

    private void fail(Throwable cause) {
        metrics.consulFailed(kind);
        failures++;
        blocking = false;
        failure = WatchFailure.after(failure, description, cause, clock.wall().instant());
        var delay = BlockingQueryIndex.backoff(failures, timing.retryMin(), timing.retryMax(), clock.jitter());
        LOG.debugf("%s failed (%d in a row), retrying in %s: %s", description, failures, delay, failure.error());
        cancelNext = retries.after(delay, this::poll);
        listener.failed();
    }

    @Override
    public String toString() {
        return description;
    }
}
