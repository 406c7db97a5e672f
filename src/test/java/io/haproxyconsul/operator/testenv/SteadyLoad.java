package io.haproxyconsul.operator.testenv;

import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A bounded, fixed-rate stream of GET requests (Java's HttpClient, keep-alive connections as browsers and proxies
 * use them), with a slower stream of slow requests beside it, counting what succeeds and what fails. It stops by
 * itself after {@code limit}, whatever the test does. A request fails when it gets no answer or a status other
 * than 200.
 */
public final class SteadyLoad implements AutoCloseable {

    /** What the load saw: counts, and the first failures as text. */
    public record Counts(int sent, int succeeded, int failed, int slowSucceeded, List<String> failures) {
        @Override
        public String toString() {
            return "sent " + sent + ", succeeded " + succeeded + " (" + slowSucceeded + " slow), failed " + failed
                    + (failures.isEmpty() ? "" : ": " + failures);
        }
    }

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(20);

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, r -> {
        var thread = new Thread(r, "steady-load");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicInteger succeeded = new AtomicInteger();
    private final AtomicInteger slowSucceeded = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();

    private SteadyLoad() {
    }

    /**
     * @param url where every request goes
     * @param perSecond the steady rate
     * @param slowDelay how long a slow request is held by the backend ({@code ?delay=}), one a second
     * @param limit when it stops by itself
     */
    public static SteadyLoad start(String url, int perSecond, Duration slowDelay, Duration limit) {
        var load = new SteadyLoad();
        var fast = HttpRequest.newBuilder(URI.create(url)).timeout(REQUEST_TIMEOUT).GET().build();
        var slow = HttpRequest.newBuilder(URI.create(url + "?delay=" + slowDelay.toMillis()))
                .timeout(REQUEST_TIMEOUT.plus(slowDelay)).GET().build();
        load.scheduler.scheduleAtFixedRate(() -> load.send(fast, false), 0, 1_000_000 / perSecond,
                TimeUnit.MICROSECONDS);
        load.scheduler.scheduleAtFixedRate(() -> load.send(slow, true), 0, 1, TimeUnit.SECONDS);
        load.scheduler.schedule(load::stopSending, limit.toMillis(), TimeUnit.MILLISECONDS);
        return load;
    }

    private void send(HttpRequest request, boolean slow) {
        sent.incrementAndGet();
        client.sendAsync(request, BodyHandlers.ofString()).whenComplete((response, error) -> {
            if (error == null && response.statusCode() == 200) {
                succeeded.incrementAndGet();
                if (slow) {
                    slowSucceeded.incrementAndGet();
                }
            } else {
                failed.incrementAndGet();
                if (failures.size() < 10) {
                    failures.add(error != null ? error.toString() : response.statusCode() + " " + response.body());
                }
            }
        });
    }

    /** Requests answered (or failed) so far. */
    public int finishedSoFar() {
        return succeeded.get() + failed.get();
    }

    private void stopSending() {
        scheduler.shutdown();
    }

    /** Stops sending, waits for the answers still due, and returns the counts. */
    public Counts finish() {
        stopSending();
        try {
            await("answers to the requests in flight").atMost(REQUEST_TIMEOUT.multipliedBy(2))
                    .pollInterval(Duration.ofMillis(50)).until(() -> succeeded.get() + failed.get() >= sent.get());
        } catch (ConditionTimeoutException e) {
            // Counted below as failed: a request with no answer is a failed request.
        }
        int unanswered = sent.get() - succeeded.get() - failed.get();
        return new Counts(sent.get(), succeeded.get(), failed.get() + unanswered, slowSucceeded.get(),
                List.copyOf(failures));
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
