package io.haproxyconsul.operator.consul;

import io.haproxyconsul.operator.config.OperatorConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.consul.BlockingQueryOptions;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * One question asked of one Consul again and again with blocking queries. It keeps watching through errors
 * (backing off with jitter) and calls {@code onChange} when Consul's index moves, the answer differs or
 * reachability flips: a moved index with an equal answer still tells the catalog mirror that something changed.
 */
final class BlockingWatch<T> {

    private static final Logger LOG = Logger.getLogger(BlockingWatch.class);

    record Answer<T>(T value, long index) {
    }

    /** Hears how each query went, for metrics. */
    interface Observer {
        void answered(long nanos);

        void failed();
    }

    private final String description;
    private final Vertx vertx;
    private final OperatorConfig.Consul timing;
    private final Function<BlockingQueryOptions, Future<Answer<T>>> query;
    private final Runnable onChange;
    private final Observer observer;

    private volatile T latest;
    private volatile String lastError;
    private volatile long index;
    private int failures;
    private long timerId = -1;
    private volatile boolean stopped;

    BlockingWatch(String description, Vertx vertx, OperatorConfig.Consul timing,
            Function<BlockingQueryOptions, Future<Answer<T>>> query, Runnable onChange, Observer observer) {
        this.description = description;
        this.observer = observer;
        this.vertx = vertx;
        this.timing = timing;
        this.query = query;
        this.onChange = onChange;
    }

    void start() {
        vertx.runOnContext(ignored -> poll());
    }

    void stop() {
        stopped = true;
        vertx.cancelTimer(timerId);
    }

    /** The latest answer, or null before the first one. */
    T latest() {
        return latest;
    }

    /** Consul's index of the latest answer, 0 before the first one. */
    long index() {
        return index;
    }

    /** Why the last query failed, or null while queries succeed. */
    String lastError() {
        return lastError;
    }

    private void poll() {
        if (stopped) {
            return;
        }
        var options = new BlockingQueryOptions().setIndex(index).setWait(timing.blockingWait().toSeconds() + "s");
        long started = System.nanoTime();
        query.apply(options).onComplete(result -> {
            if (stopped) {
                return;
            }
            if (result.succeeded()) {
                observer.answered(System.nanoTime() - started);
                accept(result.result());
                // Consul may answer at once when many writes happen; a short pause bounds our request rate.
                timerId = vertx.setTimer(timing.minQueryInterval().toMillis(), id -> poll());
            } else {
                fail(result.cause());
            }
        });
    }

    private void accept(Answer<T> answer) {
        long previous = index;
        index = BlockingQueryIndex.next(index, answer.index());
        failures = 0;
        boolean changed = index != previous || !Objects.equals(latest, answer.value()) || lastError != null;
        latest = answer.value();
        lastError = null;
        if (changed) {
            onChange.run();
        }
    }

    private void fail(Throwable cause) {
        observer.failed();
        failures++;
        boolean wasReachable = lastError == null;
        lastError = Objects.requireNonNullElse(cause.getMessage(), cause.getClass().getSimpleName());
        var delay = BlockingQueryIndex.backoff(failures, timing.retryMin(), timing.retryMax(),
                ThreadLocalRandom.current()::nextDouble);
        LOG.debugf("%s failed (%d in a row), retrying in %s: %s", description, failures, delay, lastError);
        timerId = vertx.setTimer(Math.max(1, delay.toMillis()), id -> poll());
        if (wasReachable) {
            onChange.run();
        }
    }

    @Override
    public String toString() {
        return description;
    }
}
