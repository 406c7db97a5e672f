package io.haproxyconsul.operator.consul;

import java.time.Duration;

/** Runs a task after a delay; the returned handle cancels it. Injected, so that tests move time by hand. */
public interface Scheduler {
    Runnable schedule(Duration delay, Runnable task);
}
