package io.haproxyconsul.operator.consul;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.PriorityQueue;

/** A clock and scheduler the test moves by hand: no sleeping, no timing in assertions. */
final class ManualTime implements Scheduler {

    static final Instant START = Instant.parse("2030-01-02T03:04:05Z");
    /** Where {@link #nanoTime()} starts: like System.nanoTime, an arbitrary origin, and not 0. */
    private static final long ORIGIN = 1_000_000_000L;

    private static final class Task {
        final long due;
        final long order;
        final Runnable run;
        boolean cancelled;

        Task(long due, long order, Runnable run) {
            this.due = due;
            this.order = order;
            this.run = run;
        }
    }

    private final PriorityQueue<Task> queue = new PriorityQueue<>(
            Comparator.<Task>comparingLong(t -> t.due).thenComparingLong(t -> t.order));
    private long now = ORIGIN;
    private long order;

    @Override
    public Runnable schedule(Duration delay, Runnable task) {
        var scheduled = new Task(now + Math.max(0, delay.toNanos()), order++, task);
        queue.add(scheduled);
        return () -> scheduled.cancelled = true;
    }

    long nanoTime() {
        return now;
    }

    /** Moves time on, running every task that falls due on the way, in order, those they schedule included. */
    void advance(Duration by) {
        long until = now + by.toNanos();
        while (!queue.isEmpty() && queue.peek().due <= until) {
            var task = queue.poll();
            now = Math.max(now, task.due);
            if (!task.cancelled) {
                task.run.run();
            }
        }
        now = until;
    }

    /** Runs what is due now, such as a notice scheduled with no delay. */
    void runDue() {
        advance(Duration.ZERO);
    }

    /** A wall clock that moves with this time, from {@link #START}. */
    Clock wall() {
        return new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return START.plusNanos(now - ORIGIN);
            }
        };
    }

    /** This time as the watches' clock, with the largest jitter: a retry waits its whole backoff. */
    WatchClock clock() {
        return new WatchClock(this, wall(), this::nanoTime, () -> 1.0);
    }
}
