package io.haproxyconsul.operator.consul;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * consul-template's {@code wait}: a burst of changes fires once, {@code min} after the last change, and at the
 * latest {@code max} after the first change of the burst.
 */
public final class Debouncer<K> {

    private final class Burst {
        final long startNanos;
        Object ticket;
        Runnable cancel = () -> {
        };

        Burst(long startNanos) {
            this.startNanos = startNanos;
        }
    }

    private final Scheduler scheduler;
    private final LongSupplier nanoClock;
    private final Map<K, Burst> bursts = new HashMap<>();

    public Debouncer(Scheduler scheduler, LongSupplier nanoClock) {
        this.scheduler = scheduler;
        this.nanoClock = nanoClock;
    }

    public synchronized void signal(K key, Duration min, Duration max, Runnable fire) {
        long now = nanoClock.getAsLong();
        var burst = bursts.computeIfAbsent(key, k -> new Burst(now));
        burst.cancel.run();
        long deadline = Math.min(now + min.toNanos(), burst.startNanos + max.toNanos());
        // A cancelled task may already be running; only the latest ticket of a live burst fires.
        var ticket = new Object();
        burst.ticket = ticket;
        burst.cancel = scheduler.schedule(Duration.ofNanos(Math.max(0, deadline - now)), () -> {
            synchronized (this) {
                if (bursts.get(key) != burst || burst.ticket != ticket) {
                    return;
                }
                bursts.remove(key);
            }
            fire.run();
        });
    }

    public synchronized void forget(K key) {
        var burst = bursts.remove(key);
        if (burst != null) {
            burst.cancel.run();
        }
    }
}
