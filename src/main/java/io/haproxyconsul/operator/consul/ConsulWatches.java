package io.haproxyconsul.operator.consul;

import io.haproxyconsul.operator.config.OperatorConfig;
import io.haproxyconsul.operator.consul.BlockingWatch.Answer;
import io.haproxyconsul.operator.metrics.OperatorMetrics;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.vertx.core.Vertx;
import io.vertx.ext.consul.ConsulClient;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
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
 * services of every binding on it and one long poll per KV prefix, over one client whose connections are
 * bounded by {@code hco.consul.max-connections}. A binding hears of a change only when its own view changed.
 */
@ApplicationScoped
public class ConsulWatches {

    private static final Logger LOG = Logger.getLogger(ConsulWatches.class);

    /** One Consul's clients, mirror and KV watches, alive while a binding uses it. */
    private final class Endpoint {
        final ConsulClient client;
        final HealthStateQuery checks;
        final CatalogMirror mirror;
        final Map<String, BlockingWatch<Map<String, String>>> kv = new HashMap<>();

        Endpoint(ConsulEndpoint endpoint) {
            // The check list's long poll has a connection of its own; everything else shares the rest.
            this.client = ConsulClient.create(vertx, endpoint.clientOptions()
                    .setMaxPoolSize(Math.max(1, config.maxConnections() - 1)).setTimeout(requestTimeoutMillis()));
            this.checks = new HealthStateQuery(vertx, endpoint, requestTimeoutMillis());
            this.mirror = new CatalogMirror(ConsulWatches.this, endpoint, vertx, client, checks, config, metrics,
                    (name, tags) -> subscribersOf(endpoint).anyMatch(s -> s.question.selector().selects(name, tags)),
                    () -> refresh(endpoint));
        }

        void close() {
            mirror.close();
            kv.values().forEach(BlockingWatch::stop);
            checks.close();
            client.close();
        }
    }

    private static final class Subscription {
        final ConsulQuestion question;
        final Runnable onChange;
        Optional<CatalogSnapshot> snapshot = Optional.empty();
        Optional<String> unreachable = Optional.empty();

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
    public synchronized void subscribe(ResourceID binding, ConsulQuestion question, Runnable onChange) {
        var existing = subscriptions.get(binding);
        if (existing != null && existing.question.equals(question)) {
            return;
        }
        unsubscribe(binding);
        subscriptions.put(binding, new Subscription(question, onChange));
        var endpoint = endpoints.get(question.endpoint());
        if (endpoint == null) {
            endpoint = new Endpoint(question.endpoint());
            endpoints.put(question.endpoint(), endpoint);
            endpoint.mirror.start();
        }
        for (var prefix : question.kvPrefixes()) {
            var owner = endpoint;
            owner.kv.computeIfAbsent(prefix, p -> startKv(question.endpoint(), owner.client, p));
        }
        warnIfOverConnections(question.endpoint(), endpoint);
        endpoint.mirror.wantedChanged();
        refresh(question.endpoint());
    }

    public synchronized void unsubscribe(ResourceID binding) {
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
                kv.getValue().stop();
            }
            return unused;
        });
        endpoint.mirror.wantedChanged();
    }

    /** The binding's view of Consul, once its services, their checks and its KV prefixes have all answered. */
    public synchronized Optional<CatalogSnapshot> snapshot(ResourceID binding) {
        var subscription = subscriptions.get(binding);
        return subscription == null ? Optional.empty() : subscription.snapshot;
    }

    /** Why this binding's Consul cannot be read right now, if it cannot. */
    public synchronized Optional<String> unreachable(ResourceID binding) {
        var subscription = subscriptions.get(binding);
        return subscription == null ? Optional.empty() : subscription.unreachable;
    }

    /** Subscribed bindings and whether their Consul answers, for health data. */
    public synchronized Map<ResourceID, Optional<String>> reachability() {
        var report = new LinkedHashMap<ResourceID, Optional<String>>();
        subscriptions.entrySet().stream().sorted(Comparator.comparing(e -> e.getKey().toString()))
                .forEach(e -> report.put(e.getKey(), e.getValue().unreachable));
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

    /** Recomputes the views of the endpoint's bindings and tells those whose view or reachability changed. */
    private synchronized void refresh(ConsulEndpoint address) {
        var endpoint = endpoints.get(address);
        if (endpoint == null) {
            return;
        }
        subscriptions.values().stream().filter(s -> s.question.endpoint().equals(address)).forEach(s -> {
            var snapshot = view(endpoint, s.question);
            var unreachable = unreachable(endpoint, s.question);
            if (!snapshot.equals(s.snapshot) || !unreachable.equals(s.unreachable)) {
                s.snapshot = snapshot;
                s.unreachable = unreachable;
                s.onChange.run();
            }
        });
    }

    private Optional<CatalogSnapshot> view(Endpoint endpoint, ConsulQuestion question) {
        var kv = new TreeMap<String, String>();
        for (var prefix : question.kvPrefixes()) {
            var values = endpoint.kv.get(prefix).latest();
            if (values == null) {
                return Optional.empty();
            }
            kv.putAll(values);
        }
        return endpoint.mirror.select(question.selector())
                .map(selection -> new CatalogSnapshot(selection.services(), selection.instances(), kv));
    }

    private static Optional<String> unreachable(Endpoint endpoint, ConsulQuestion question) {
        return endpoint.mirror.unreachable().or(() -> question.kvPrefixes().stream()
                .map(endpoint.kv::get).filter(watch -> watch.lastError() != null)
                .map(watch -> watch + ": " + watch.lastError()).sorted().findFirst());
    }

    private Stream<Subscription> subscribersOf(ConsulEndpoint address) {
        return subscriptions.values().stream().filter(s -> s.question.endpoint().equals(address));
    }

    private BlockingWatch<Map<String, String>> startKv(ConsulEndpoint address, ConsulClient client, String prefix) {
        var watch = new BlockingWatch<Map<String, String>>("KV " + prefix + "/ at " + address, vertx, config,
                options -> client.getValuesWithOptions(prefix + "/", options)
                        .map(list -> new Answer<>(ConsulAnswers.values(list.getList()), list.getIndex())),
                () -> refresh(address), new BlockingWatch.Observer() {
                    @Override
                    public void answered(long nanos) {
                        metrics.consulAnswered("kv", nanos);
                    }

                    @Override
                    public void failed() {
                        metrics.consulFailed("kv");
                    }
                });
        watch.start();
        return watch;
    }

    /** Long polls each hold a connection; when they take all of them, no instance fetch gets through. */
    private void warnIfOverConnections(ConsulEndpoint address, Endpoint endpoint) {
        int longPolls = 2 + endpoint.kv.size();
        if (longPolls >= config.maxConnections()) {
            LOG.warnf("%d long polls on %s (catalog, health checks and one per KV prefix) leave no connection of "
                    + "hco.consul.max-connections=%d for reading instances: raise it", longPolls, address,
                    config.maxConnections());
        }
    }

    /** A blocking query may be held for the wait time plus up to wait/16 of jitter by Consul. */
    private long requestTimeoutMillis() {
        return config.blockingWait().plus(config.blockingWait().dividedBy(16)).plusSeconds(10).toMillis();
    }
}
