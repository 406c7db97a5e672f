package io.haproxyconsul.operator.consul;

import io.haproxyconsul.operator.config.OperatorConfig;
import io.haproxyconsul.operator.consul.BlockingWatch.Answer;
import io.haproxyconsul.operator.metrics.OperatorMetrics;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.consul.BlockingQueryOptions;
import io.vertx.ext.consul.ConsulClient;
import io.vertx.ext.consul.ServiceQueryOptions;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * The shared registry of Consul watches. Each binding subscribes with its {@link ConsulQuestion}; the registry
 * keeps exactly one blocking-query watch per distinct sub-question (the service catalog, the instances of one
 * service, one KV prefix) per endpoint, whoever asks it, and stops a watch when its last subscriber leaves.
 */
@ApplicationScoped
public class ConsulWatches {

    private static final Logger LOG = Logger.getLogger(ConsulWatches.class);

    enum Kind {
        CATALOG,
        PASSING_INSTANCES,
        ALL_INSTANCES,
        KV
    }

    record WatchKey(ConsulEndpoint endpoint, Kind kind, String argument) {
    }

    private static final class Shared {
        final BlockingWatch<?> watch;
        final Set<ResourceID> users = new HashSet<>();

        Shared(BlockingWatch<?> watch) {
            this.watch = watch;
        }
    }

    private static final class Subscription {
        final ConsulQuestion question;
        final Runnable onChange;
        final Set<WatchKey> keys = new HashSet<>();

        Subscription(ConsulQuestion question, Runnable onChange) {
            this.question = question;
            this.onChange = onChange;
        }
    }

    private final Vertx vertx;
    private final OperatorConfig.Consul config;
    private final OperatorMetrics metrics;
    private final Map<ConsulEndpoint, ConsulClient> clients = new HashMap<>();
    private final Map<WatchKey, Shared> watches = new HashMap<>();
    private final Map<ResourceID, Subscription> subscriptions = new HashMap<>();
    /** Endpoints already warned about, so the warning comes once per crossing of the limit. */
    private final Set<ConsulEndpoint> overloaded = new HashSet<>();

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
        var subscription = new Subscription(question, onChange);
        subscriptions.put(binding, subscription);
        acquire(binding, subscription, new WatchKey(question.endpoint(), Kind.CATALOG, ""));
        question.kvPrefixes().forEach(prefix -> acquire(binding, subscription,
                new WatchKey(question.endpoint(), Kind.KV, prefix + "/")));
        followCatalog(binding, subscription);
    }

    public synchronized void unsubscribe(ResourceID binding) {
        var subscription = subscriptions.remove(binding);
        if (subscription != null) {
            List.copyOf(subscription.keys).forEach(key -> release(binding, subscription, key));
        }
    }

    /** The binding's view of Consul, once every one of its watches has answered at least once. */
    public synchronized Optional<CatalogSnapshot> snapshot(ResourceID binding) {
        var subscription = subscriptions.get(binding);
        if (subscription == null) {
            return Optional.empty();
        }
        Map<String, List<String>> catalog = latest(subscription.question.endpoint(), Kind.CATALOG, "");
        if (catalog == null) {
            return Optional.empty();
        }
        var services = new TreeMap<String, List<String>>();
        var instances = new TreeMap<String, List<ServiceInstance>>();
        var kv = new TreeMap<String, String>();
        for (var key : subscription.keys) {
            Object answer = watches.get(key).watch.latest();
            if (answer == null) {
                return Optional.empty();
            }
            switch (key.kind()) {
                case PASSING_INSTANCES, ALL_INSTANCES -> {
                    services.put(key.argument(), catalog.getOrDefault(key.argument(), List.of()));
                    instances.put(key.argument(), cast(answer));
                }
                case KV -> kv.putAll(cast(answer));
                case CATALOG -> {
                }
            }
        }
        return Optional.of(new CatalogSnapshot(services, instances, kv));
    }

    /** Why this binding's Consul cannot be reached right now, if it cannot. */
    public synchronized Optional<String> unreachable(ResourceID binding) {
        var subscription = subscriptions.get(binding);
        if (subscription == null) {
            return Optional.empty();
        }
        return subscription.keys.stream().map(key -> watches.get(key).watch)
                .filter(watch -> watch.lastError() != null)
                .map(watch -> watch + ": " + watch.lastError()).sorted().findFirst();
    }

    /** Subscribed bindings and whether their Consul answers, for health data. */
    public synchronized Map<ResourceID, Optional<String>> reachability() {
        var report = new LinkedHashMap<ResourceID, Optional<String>>();
        subscriptions.keySet().stream().sorted(Comparator.comparing(ResourceID::toString))
                .forEach(binding -> report.put(binding, unreachable(binding)));
        return report;
    }

    /** Open blocking-query watches, for metrics and tests of sharing. */
    public synchronized int watchCount() {
        return watches.size();
    }

    @PreDestroy
    synchronized void close() {
        watches.values().forEach(shared -> shared.watch.stop());
        watches.clear();
        clients.values().forEach(ConsulClient::close);
        clients.clear();
        subscriptions.clear();
    }

    private synchronized void changed(WatchKey key) {
        var shared = watches.get(key);
        if (shared == null) {
            return;
        }
        for (var binding : List.copyOf(shared.users)) {
            var subscription = subscriptions.get(binding);
            if (subscription == null) {
                continue;
            }
            if (key.kind() == Kind.CATALOG) {
                followCatalog(binding, subscription);
            }
            subscription.onChange.run();
        }
    }

    /** Opens instance watches for newly selected services and closes those of services gone or deselected. */
    private void followCatalog(ResourceID binding, Subscription subscription) {
        var endpoint = subscription.question.endpoint();
        Map<String, List<String>> catalog = latest(endpoint, Kind.CATALOG, "");
        if (catalog == null) {
            return;
        }
        var selector = subscription.question.selector();
        var kind = selector.onlyPassing() ? Kind.PASSING_INSTANCES : Kind.ALL_INSTANCES;
        var wanted = new HashSet<WatchKey>();
        catalog.forEach((name, tags) -> {
            if (selector.selects(name, tags)) {
                wanted.add(new WatchKey(endpoint, kind, name));
            }
        });
        subscription.keys.stream().filter(key -> key.kind() == kind && !wanted.contains(key)).toList()
                .forEach(key -> release(binding, subscription, key));
        wanted.stream().filter(key -> !subscription.keys.contains(key))
                .forEach(key -> acquire(binding, subscription, key));
        warnIfOverConnections(endpoint);
    }

    private void acquire(ResourceID binding, Subscription subscription, WatchKey key) {
        subscription.keys.add(key);
        watches.computeIfAbsent(key, this::startWatch).users.add(binding);
    }

    /** Once per change of a binding's watches rather than per watch: the count walks every watch. */
    private void warnIfOverConnections(ConsulEndpoint endpoint) {
        long open = watches.keySet().stream().filter(k -> k.endpoint().equals(endpoint)).count();
        if (open > config.maxConnections() && overloaded.add(endpoint)) {
            LOG.warnf("%d watches on %s exceed hco.consul.max-connections=%d: the excess waits for a free "
                    + "connection, so their changes arrive late", open, endpoint, config.maxConnections());
        } else if (open <= config.maxConnections()) {
            overloaded.remove(endpoint);
        }
    }

    private void release(ResourceID binding, Subscription subscription, WatchKey key) {
        subscription.keys.remove(key);
        var shared = watches.get(key);
        shared.users.remove(binding);
        if (shared.users.isEmpty()) {
            shared.watch.stop();
            watches.remove(key);
            if (watches.keySet().stream().noneMatch(k -> k.endpoint().equals(key.endpoint()))) {
                clients.remove(key.endpoint()).close();
            }
        }
    }

    private Shared startWatch(WatchKey key) {
        var client = clients.computeIfAbsent(key.endpoint(), this::createClient);
        Function<BlockingQueryOptions, Future<? extends Answer<?>>> query = switch (key.kind()) {
            case CATALOG -> options -> client.catalogServicesWithOptions(options).map(list -> new Answer<>(
                    ConsulAnswers.catalog(list.getList()), list.getIndex()));
            case PASSING_INSTANCES, ALL_INSTANCES -> options -> client.healthServiceNodesWithOptions(key.argument(),
                    key.kind() == Kind.PASSING_INSTANCES, new ServiceQueryOptions().setBlockingOptions(options))
                    .map(list -> new Answer<>(ConsulAnswers.instances(list.getList()), list.getIndex()));
            case KV -> options -> client.getValuesWithOptions(key.argument(), options).map(list -> new Answer<>(
                    ConsulAnswers.values(list.getList()), list.getIndex()));
        };
        @SuppressWarnings({"unchecked", "rawtypes"})
        String kind = key.kind().name().toLowerCase(java.util.Locale.ROOT);
        var watch = new BlockingWatch<Object>(describe(key), vertx, config, (Function) query, () -> changed(key),
                new BlockingWatch.Observer() {
                    @Override
                    public void answered(long nanos) {
                        metrics.consulAnswered(kind, nanos);
                    }

                    @Override
                    public void failed() {
                        metrics.consulFailed(kind);
                    }
                });
        watch.start();
        return new Shared(watch);
    }

    private ConsulClient createClient(ConsulEndpoint endpoint) {
        // Vert.x pools 5 connections by default: the sixth blocking query would wait for one to come back.
        var options = endpoint.clientOptions().setMaxPoolSize(config.maxConnections())
                // A blocking query may be held for the wait time plus up to wait/16 of jitter by Consul.
                .setTimeout(config.blockingWait().plus(config.blockingWait().dividedBy(16)).plusSeconds(10).toMillis());
        return ConsulClient.create(vertx, options);
    }

    private static String describe(WatchKey key) {
        return switch (key.kind()) {
            case CATALOG -> "catalog services of " + key.endpoint();
            case PASSING_INSTANCES -> "passing instances of " + key.argument() + " at " + key.endpoint();
            case ALL_INSTANCES -> "instances of " + key.argument() + " at " + key.endpoint();
            case KV -> "KV " + key.argument() + " at " + key.endpoint();
        };
    }

    private <T> T latest(ConsulEndpoint endpoint, Kind kind, String argument) {
        var shared = watches.get(new WatchKey(endpoint, kind, argument));
        return shared == null ? null : cast(shared.watch.latest());
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object value) {
        return (T) value;
    }
}
