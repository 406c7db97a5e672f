package io.haproxyconsul.operator.consul;

import io.haproxyconsul.operator.config.OperatorConfig;
import io.haproxyconsul.operator.consul.BlockingWatch.Answer;
import io.haproxyconsul.operator.metrics.OperatorMetrics;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * The shared registry of what bindings ask of Consul. Per endpoint it keeps one {@link CatalogMirror} for the
 * services of every binding on it and one long poll per KV prefix, over one pool of connections bounded by
 * {@code hco.consul.max-connections}. A binding hears of a change only when its own view or its reachability
 * changed.
 *
 * <p>Threads: the watches of one endpoint run on one Vert.x context and take no lock; this registry hands them
 * work on that context, reads what they publish (immutable values) and guards only its own maps with its monitor.
 */
@ApplicationScoped
public class ConsulWatches {

    private static final Logger LOG = Logger.getLogger(ConsulWatches.class);

    /** One Consul's connections, mirror and KV watches, alive while a binding uses it. */
    private final class Endpoint {
        final ConsulEndpoint address;
        final Context context;
        final WatchClock clock;
        final Retries retries;
        final ConsulApi api;
        final HealthStateQuery checks;
        final CatalogMirror mirror;
        final Map<String, BlockingWatch<Map<String, String>>> kv = new HashMap<>();

        Endpoint(ConsulEndpoint address) {
            this.address = address;
            this.context = vertx.getOrCreateContext();
            this.clock = WatchClock.on(vertx, context);
            this.retries = new Retries(clock.scheduler());
            // The check list's long poll has a connection of its own; everything else shares the rest.
            this.api = new ConsulApi(vertx, address, Math.max(1, config.maxConnections() - 1), config.blockingWait(),
                    requestTimeoutMillis());
            this.checks = new HealthStateQuery(vertx, address, config.blockingWait(), requestTimeoutMillis());
            this.mirror = new CatalogMirror(address, new CatalogReads() {
                @Override
                public Future<Answer<Map<String, List<String>>>> services(long index) {
                    return onContext(api.services(index));
                }

                @Override
                public Future<Answer<HealthChecks>> checks(long index) {
                    return onContext(checks.ask(index));
                }

                @Override
                public Future<Answer<List<ServiceInstance>>> instances(String service) {
                    return onContext(api.instances(service));
                }
            }, config, clock, retries, metrics, () -> refresh(address));
        }

        /** Runs on this endpoint's context, where its watches live. */
        void run(Runnable task) {
            context.runOnContext(ignored -> task.run());
        }

        /** An answer handed to the watches on their context, whichever thread completed it. */
        <T> Future<T> onContext(Future<T> answer) {
            Promise<T> promise = Promise.promise();
            answer.onComplete(result -> run(() -> promise.handle(result)));
            return promise.future();
        }

        BlockingWatch<Map<String, String>> startKv(String prefix) {
            var watch = new BlockingWatch<Map<String, String>>("KV " + prefix + "/ at " + address, "kv", config,
                    clock, retries, metrics, index -> onContext(api.values(prefix, index)), new BlockingWatch.Listener() {
                        @Override
                        public void answered(boolean restarted, long nanos) {
                            refresh(address);
                        }

                        @Override
                        public void failed() {
                            refresh(address);
                        }
                    });
            run(watch::start);
            return watch;
        }

        void close() {
            run(() -> {
                mirror.close();
                kv.values().forEach(BlockingWatch::stop);
                checks.close();
                api.close();
            });
        }
    }

    private static final class Subscription {
        final ConsulQuestion question;
        final Runnable onChange;
        Optional<CatalogSnapshot> snapshot = Optional.empty();
        List<WatchFailure> failures = List.of();

        Subscription(ConsulQuestion question, Runnable onChange) {
            this.question = question;
            this.onChange = onChange;
        }
    }

    private final Vertx vertx;
    private final OperatorConfig.Consul config;
    private final OperatorMetrics metrics;
    private final Map<ConsulEndpoint, Endpoint> endpoints = new HashMap<>();
    private final Map<ResourceID, Subscription> subscriptions = new HashMap<>();

    public ConsulWatches(Vertx vertx, OperatorConfig config, OperatorMetrics metrics) {
        this.vertx = vertx;
        this.config = config.consul();
        this.metrics = metrics;
    }

    /** Starts (or keeps, when the question is unchanged) the watches a binding needs. */
    public void subscribe(ResourceID binding, ConsulQuestion question, Runnable onChange) {
        synchronized (this) {
            var existing = subscriptions.get(binding);
            if (existing != null && existing.question.equals(question)) {
                return;
            }
            unsubscribeLocked(binding);
            subscriptions.put(binding, new Subscription(question, onChange));
            var endpoint = endpoints.get(question.endpoint());
            if (endpoint == null) {
                endpoint = new Endpoint(question.endpoint());
                endpoints.put(question.endpoint(), endpoint);
                endpoint.run(endpoint.mirror::start);
            }
            for (var prefix : question.kvPrefixes()) {
                endpoint.kv.computeIfAbsent(prefix, endpoint::startKv);
            }
            warnIfOverConnections(endpoint);
            want(endpoint);
        }
        refresh(question.endpoint());
    }

    public synchronized void unsubscribe(ResourceID binding) {
        unsubscribeLocked(binding);
    }

    private void unsubscribeLocked(ResourceID binding) {
        var subscription = subscriptions.remove(binding);
        if (subscription == null) {
            return;
        }
        var address = subscription.question.endpoint();
        var endpoint = endpoints.get(address);
        if (subscribersOf(address).findAny().isEmpty()) {
            endpoint.close();
            endpoints.remove(address);
            return;
        }
        endpoint.kv.entrySet().removeIf(kv -> {
            boolean unused = subscribersOf(address).noneMatch(s -> s.question.kvPrefixes().contains(kv.getKey()));
            if (unused) {
                endpoint.run(kv.getValue()::stop);
            }
            return unused;
        });
        want(endpoint);
    }

    /** The binding's view of Consul, once its services, their checks and its KV prefixes have all answered. */
    public synchronized Optional<CatalogSnapshot> snapshot(ResourceID binding) {
        var subscription = subscriptions.get(binding);
        return subscription == null ? Optional.empty() : subscription.snapshot;
    }

    /** Why this binding's Consul cannot be read right now, if it cannot. */
    public synchronized Optional<String> unreachable(ResourceID binding) {
        var subscription = subscriptions.get(binding);
        return subscription == null ? Optional.empty() : message(subscription.failures);
    }

    /** Subscribed bindings and whether their Consul answers, for health data. */
    public synchronized Map<ResourceID, Optional<String>> reachability() {
        var report = new LinkedHashMap<ResourceID, Optional<String>>();
        subscriptions.entrySet().stream().sorted(Comparator.comparing(e -> e.getKey().toString()))
                .forEach(e -> report.put(e.getKey(), message(e.getValue().failures)));
        return report;
    }

    /** Long polls held open to every Consul: two per endpoint and one per KV prefix, whatever the catalog size. */
    public synchronized int longPollCount() {
        return endpoints.values().stream().mapToInt(endpoint -> 2 + endpoint.kv.size()).sum();
    }

    @PreDestroy
    synchronized void close() {
        endpoints.values().forEach(Endpoint::close);
        endpoints.clear();
        subscriptions.clear();
    }

    /** Hands the endpoint's mirror what its bindings select now. */
    private void want(Endpoint endpoint) {
        var selectors = subscribersOf(endpoint.address).map(s -> s.question.selector()).distinct().toList();
        endpoint.run(() -> endpoint.mirror.want(selectors));
    }

    /**
     * Recomputes the views of the endpoint's bindings and tells those whose view changed, or whose watches began
     * or stopped failing; outside the monitor, since a binding's listener is not ours to hold a lock for.
     */
    private void refresh(ConsulEndpoint address) {
        var changed = new ArrayList<Runnable>();
        synchronized (this) {
            var endpoint = endpoints.get(address);
            if (endpoint == null) {
                return;
            }
            var view = endpoint.mirror.view();
            subscribersOf(address).forEach(s -> {
                var snapshot = view(endpoint, view, s.question);
                var failures = failures(endpoint, view, s.question);
                if (!snapshot.equals(s.snapshot) || !failing(failures).equals(failing(s.failures))) {
                    changed.add(s.onChange);
                }
                s.snapshot = snapshot;
                s.failures = failures;
            });
        }
        changed.forEach(Runnable::run);
    }

    private static Optional<CatalogSnapshot> view(Endpoint endpoint, CatalogView view, ConsulQuestion question) {
        var kv = new TreeMap<String, String>();
        for (var prefix : question.kvPrefixes()) {
            var values = endpoint.kv.get(prefix).latest();
            if (values == null) {
                return Optional.empty();
            }
            kv.putAll(values);
        }
        return view.snapshot(question.selector(), kv);
    }

    /** The failures of every watch the binding depends on, the oldest first. */
    private static List<WatchFailure> failures(Endpoint endpoint, CatalogView view, ConsulQuestion question) {
        return Stream.concat(view.failures(question.selector()).stream(), question.kvPrefixes().stream()
                .map(prefix -> endpoint.kv.get(prefix).failure()).filter(java.util.Objects::nonNull))
                .sorted(Comparator.comparing(WatchFailure::since).thenComparing(WatchFailure::watch)).toList();
    }

    /** Which watches fail since when: a new error text alone is no news for the binding. */
    private static List<String> failing(List<WatchFailure> failures) {
        return failures.stream().map(f -> f.watch() + "@" + f.since()).toList();
    }

    private static Optional<String> message(List<WatchFailure> failures) {
        if (failures.isEmpty()) {
            return Optional.empty();
        }
        String more = failures.size() == 1 ? "" : " (and " + (failures.size() - 1) + " more failing)";
        return Optional.of(failures.get(0).message() + more);
    }

    private Stream<Subscription> subscribersOf(ConsulEndpoint address) {
        return subscriptions.values().stream().filter(s -> s.question.endpoint().equals(address));
    }

    /** Long polls each hold a connection; when they take all of them, no instance read gets through. */
    private void warnIfOverConnections(Endpoint endpoint) {
        int longPolls = 2 + endpoint.kv.size();
        if (longPolls >= config.maxConnections()) {
            LOG.warnf("%d long polls on %s (catalog, health checks and one per KV prefix) leave no connection of "
                    + "hco.consul.max-connections=%d for reading instances: raise it", longPolls, endpoint.address,
                    config.maxConnections());
        }
    }

    /** A blocking query may be held for the wait time plus up to wait/16 of jitter by Consul. */
    private long requestTimeoutMillis() {
        return config.blockingWait().plus(config.blockingWait().dividedBy(16)).plusSeconds(10).toMillis();
    }
}
