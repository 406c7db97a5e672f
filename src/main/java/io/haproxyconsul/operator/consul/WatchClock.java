package io.haproxyconsul.operator.consul;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * Time, timers and chance for the watches of one Consul, injected so that tests run them by hand, with no sleeps.
 *
 * @param wall when a failure began, for messages
 * @param nanoTime how long things take
 * @param jitter a number in [0, 1) for spreading retries
 */
record WatchClock(Scheduler scheduler, Clock wall, LongSupplier nanoTime, DoubleSupplier jitter) {

    /** The operator's: every task runs on {@code context}, the one the watches of a Consul are confined to. */
    static WatchClock on(Vertx vertx, Context context) {
        Scheduler scheduler = (delay, task) -> {
            var cancelled = new AtomicBoolean();
            Runnable once = () -> {
                if (!cancelled.get()) {
                    task.run();
                }
            };
            if (delay.compareTo(Duration.ofMillis(1)) < 0) {
                context.runOnContext(ignored -> once.run());
                return () -> cancelled.set(true);
            }
            long timer = vertx.setTimer(delay.toMillis(), id -> context.runOnContext(ignored -> once.run()));
            return () -> {
                cancelled.set(true);
                vertx.cancelTimer(timer);
            };
        };
        return new WatchClock(scheduler, Clock.systemUTC(), System::nanoTime,
                () -> ThreadLocalRandom.current().nextDouble());
    }
}
