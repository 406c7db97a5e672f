package io.haproxyconsul.operator.consul;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The retries of failed queries to one Consul. Each waits for its own backoff, unless a query of the same Consul
 * gets an answer again first: then all of them run at once, since whatever stood between us and Consul is gone.
 * Not thread-safe: every query of one Consul runs on one Vert.x context.
 */
final class Retries {

    private record Waiting(Runnable retry, Runnable cancelTimer) {
    }

    private final Scheduler scheduler;
    private final Map<Object, Waiting> waiting = new LinkedHashMap<>();

    Retries(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    /** Runs {@code retry} after {@code backoff} or when Consul answers again; the handle cancels it. */
    Runnable after(Duration backoff, Runnable retry) {
        var key = new Object();
        var timer = scheduler.schedule(backoff, () -> {
            if (waiting.remove(key) != null) {
                retry.run();
            }
        });
        waiting.put(key, new Waiting(retry, timer));
        return () -> {
            if (waiting.remove(key) != null) {
                timer.run();
            }
        };
    }

    /** A query of this Consul succeeded after failing: every waiting retry runs now. */
    void consulAnswersAgain() {
        List<Waiting> due = List.copyOf(waiting.values());
        waiting.clear();
        due.forEach(w -> w.cancelTimer().run());
        due.forEach(w -> w.retry().run());
    }
}
