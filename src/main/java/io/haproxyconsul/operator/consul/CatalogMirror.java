package io.haproxyconsul.operator.consul;

import io.haproxyconsul.operator.config.OperatorConfig;
import io.haproxyconsul.operator.consul.BlockingWatch.Answer;
import io.haproxyconsul.operator.consul.ServiceInstance.HealthStatus;
import io.haproxyconsul.operator.metrics.OperatorMetrics;
import io.vertx.core.Vertx;
import io.vertx.ext.consul.ConsulClient;
import io.vertx.ext.consul.ServiceQueryOptions;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiPredicate;
import java.util.function.LongConsumer;

/**
 * What one Consul knows of its services, kept current over a fixed number of connections: one long poll of the
 * catalog's service list, one of every health check's state, and plain fetches of the instances of just the
 * services that changed. consul-template holds one long poll per service instead, which runs into the agent's
 * limit of 200 connections per client at a few hundred services.
 *
 * <p>Which services changed: the catalog list names new, removed and retagged services; the check states name
 * services that gained or lost a checked instance. A status change needs no fetch, since health is judged here
 * from the check states as Consul's health endpoint judges it. A catalog move the check states do not explain (an
 * instance without checks, a new address or tags) refreshes every wanted service, and so does a periodic resync,
 * for what no index shows. Guarded by the owner's monitor, {@code lock}.
 */
final class CatalogMirror {

    /**
     * How long a catalog move waits at least for the health-state poll to name its service before refreshing
     * all; longer when the check list takes longer to arrive (twice its last delay: seconds at 50,000 checks).
     */
    private static final long SETTLE_MIN_MILLIS = 200;

    /** The selected services and their instances, as a binding sees them. */
    record Selection(SortedMap<String, List<String>> services, SortedMap<String, List<ServiceInstance>> instances) {
    }

    /** One service's instances as last fetched. */
    private static final class Fetched {
        List<ServiceInstance> instances;
        long index;
        boolean inFlight;
        boolean again;
        String error;
        int failures;
    }

    private final Object lock;
    private final String description;
    private final Vertx vertx;
    private final ConsulClient client;
    private final OperatorConfig.Consul timing;
    private final OperatorMetrics metrics;
    private final BiPredicate<String, List<String>> wanted;
    private final Runnable onChange;
    private final BlockingWatch<Map<String, List<String>>> catalog;
    private final BlockingWatch<HealthChecks> health;
    private final Map<String, Fetched> fetched = new HashMap<>();

    private Map<String, List<String>> knownCatalog = Map.of();
    private long catalogIndex;
    private HealthChecks knownChecks = HealthChecks.NONE;
    private long healthIndex;
    /** The health index at which a service last gained or lost checks. */
    private long checksChangedAt;
    /** A catalog index no poll has explained yet, 0 if none. */
    private long unexplainedMove;
    private long settleTimer = -1;
    private long resyncTimer = -1;
    /** When the catalog last moved (System.nanoTime), until the check list catches up with it; 0 after. */
    private long catalogMovedAt;
    /** How long the check list last took to follow a catalog move, or to arrive in full the first time. */
    private long healthDelayNanos;
    private boolean notifyPending;
    private boolean closed;

    CatalogMirror(Object lock, ConsulEndpoint endpoint, Vertx vertx, ConsulClient client, HealthStateQuery checks,
            OperatorConfig.Consul timing, OperatorMetrics metrics, BiPredicate<String, List<String>> wanted,
            Runnable onChange) {
        this.lock = lock;
        this.description = "services of " + endpoint;
        this.vertx = vertx;
        this.client = client;
        this.timing = timing;
        this.metrics = metrics;
        this.wanted = wanted;
        this.onChange = onChange;
        this.catalog = new BlockingWatch<>("catalog services of " + endpoint, vertx, timing,
                options -> client.catalogServicesWithOptions(options)
                        .map(list -> new Answer<>(ConsulAnswers.catalog(list.getList()), list.getIndex())),
                this::catalogMoved, observer("catalog", nanos -> {
                }));
        this.health = new BlockingWatch<>("health checks of " + endpoint, vertx, timing, checks::ask,
                this::healthMoved, observer("health_state", this::healthAnswered));
    }

    void start() {
        catalog.start();
        health.start();
        resyncTimer = vertx.setPeriodic(timing.resyncPeriod().toMillis(), id -> {
            synchronized (lock) {
                if (!closed) {
                    refreshAll();
                }
            }
        });
    }

    void close() {
        closed = true;
        catalog.stop();
        health.stop();
        vertx.cancelTimer(settleTimer);
        vertx.cancelTimer(resyncTimer);
    }

    /** The set of wanted services may have changed: fetch the new ones, forget the others. */
    void wantedChanged() {
        followCatalog(Set.of());
    }

    /** What a selector sees, once the catalog, the checks and every selected service have answered. */
    Optional<Selection> select(ServiceSelector selector) {
        if (catalog.latest() == null || health.latest() == null) {
            return Optional.empty();
        }
        var services = new TreeMap<String, List<String>>();
        var instances = new TreeMap<String, List<ServiceInstance>>();
        for (var service : knownCatalog.entrySet()) {
            if (!selector.selects(service.getKey(), service.getValue())) {
                continue;
            }
            var known = fetched.get(service.getKey());
            if (known == null || known.instances == null) {
                return Optional.empty();
            }
            services.put(service.getKey(), service.getValue());
            instances.put(service.getKey(), judged(known).filter(selector::serves).toList());
        }
        return Optional.of(new Selection(services, instances));
    }

    /** Why this Consul cannot be read right now, if it cannot. */
    Optional<String> unreachable() {
        for (var watch : List.of(catalog, health)) {
            if (watch.lastError() != null) {
                return Optional.of(watch + ": " + watch.lastError());
            }
        }
        return fetched.entrySet().stream().filter(e -> e.getValue().error != null)
                .map(e -> "instances of " + e.getKey() + ": " + e.getValue().error).sorted().findFirst();
    }

    /** Instances with health from the check states, unless the fetch is newer than them. */
    private java.util.stream.Stream<ServiceInstance> judged(Fetched known) {
        boolean checksAreNewer = healthIndex >= known.index;
        return known.instances.stream()
                .map(i -> checksAreNewer ? withHealth(i, knownChecks.status(i.node(), i.serviceId())) : i);
    }

    private static ServiceInstance withHealth(ServiceInstance i, HealthStatus health) {
        return health == i.health() ? i
                : new ServiceInstance(i.serviceId(), i.node(), i.address(), i.port(), i.tags(), health);
    }

    private void catalogMoved() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            var latest = catalog.latest();
            if (latest != null && catalog.index() != catalogIndex) {
                boolean first = catalogIndex == 0;
                catalogIndex = catalog.index();
                var retagged = new HashSet<String>();
                latest.forEach((name, tags) -> {
                    if (!first && !tags.equals(knownCatalog.get(name))) {
                        retagged.add(name);
                    }
                });
                knownCatalog = latest;
                followCatalog(retagged);
                catalogMovedAt = System.nanoTime();
                if (!first) {
                    explain(catalogIndex);
                }
            }
            changed();
        }
    }

    private void healthMoved() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            var latest = health.latest();
            if (latest != null && health.index() != healthIndex) {
                boolean first = healthIndex == 0;
                healthIndex = health.index();
                var rechecked = latest.servicesWithOtherChecks(knownChecks);
                knownChecks = latest;
                if (!first && !rechecked.isEmpty()) {
                    checksChangedAt = healthIndex;
                    rechecked.stream().filter(fetched::containsKey).forEach(this::fetch);
                }
                if (catalogMovedAt != 0 && healthIndex >= catalogIndex) {
                    if (healthIndex == catalogIndex) {
                        // One write moved both: how far the check list lags behind the catalog.
                        healthDelayNanos = System.nanoTime() - catalogMovedAt;
                    }
                    catalogMovedAt = 0;
                }
                if (unexplainedMove != 0 && healthIndex >= unexplainedMove) {
                    settled(rechecked.isEmpty());
                }
            }
            changed();
        }
    }

    /**
     * The catalog moved: an instance came, went or changed. A new or retagged service was read already, but the
     * same answer may hide another change, so only the check states can name the service: when they do not, every
     * wanted service is read again.
     */
    private void explain(long index) {
        if (checksChangedAt >= index) {
            return;
        }
        if (healthIndex >= index) {
            refreshAll();
            return;
        }
        unexplainedMove = Math.max(unexplainedMove, index);
        if (settleTimer < 0) {
            long settle = Math.max(SETTLE_MIN_MILLIS, 2 * healthDelayNanos / 1_000_000);
            settleTimer = vertx.setTimer(settle, id -> {
                synchronized (lock) {
                    settleTimer = -1;
                    if (!closed && unexplainedMove != 0) {
                        settled(true);
                    }
                }
            });
        }
    }

    private void settled(boolean stillUnexplained) {
        unexplainedMove = 0;
        vertx.cancelTimer(settleTimer);
        settleTimer = -1;
        if (stillUnexplained) {
            refreshAll();
        }
    }

    /** Fetches wanted services not fetched yet and those named, forgets those no longer wanted or listed. */
    private void followCatalog(Set<String> changed) {
        fetched.keySet().removeIf(name -> {
            var tags = knownCatalog.get(name);
            return tags == null || !wanted.test(name, tags);
        });
        knownCatalog.forEach((name, tags) -> {
            if (wanted.test(name, tags) && (!fetched.containsKey(name) || changed.contains(name))) {
                fetch(name);
            }
        });
    }

    private void refreshAll() {
        List.copyOf(fetched.keySet()).forEach(this::fetch);
    }

    /** One plain read of a service's instances; a read asked for while one is in flight follows it. */
    private void fetch(String name) {
        var known = fetched.computeIfAbsent(name, n -> new Fetched());
        if (known.inFlight) {
            known.again = true;
            return;
        }
        known.inFlight = true;
        long started = System.nanoTime();
        client.healthServiceNodesWithOptions(name, false, new ServiceQueryOptions()).onComplete(result -> {
            synchronized (lock) {
                known.inFlight = false;
                if (closed || fetched.get(name) != known) {
                    return;
                }
                if (result.succeeded()) {
                    metrics.consulAnswered("instances", System.nanoTime() - started);
                    known.instances = ConsulAnswers.instances(result.result().getList());
                    known.index = result.result().getIndex();
                    known.error = null;
                    known.failures = 0;
                    if (known.again) {
                        known.again = false;
                        fetch(name);
                    }
                } else {
                    metrics.consulFailed("instances");
                    known.error = Objects.requireNonNullElse(result.cause().getMessage(),
                            result.cause().getClass().getSimpleName());
                    known.again = false;
                    known.failures++;
                    var delay = BlockingQueryIndex.backoff(known.failures, timing.retryMin(), timing.retryMax(),
                            ThreadLocalRandom.current()::nextDouble);
                    vertx.setTimer(Math.max(1, delay.toMillis()), id -> {
                        synchronized (lock) {
                            if (!closed && fetched.get(name) == known) {
                                fetch(name);
                            }
                        }
                    });
                }
                changed();
            }
        });
    }

    /** Tells the owner once for a burst of answers, rather than once for each of thousands of fetches. */
    private void changed() {
        if (!notifyPending) {
            notifyPending = true;
            vertx.runOnContext(ignored -> {
                synchronized (lock) {
                    notifyPending = false;
                }
                onChange.run();
            });
        }
    }

    private BlockingWatch.Observer observer(String kind, LongConsumer alsoOnAnswer) {
        return new BlockingWatch.Observer() {
            @Override
            public void answered(long nanos) {
                metrics.consulAnswered(kind, nanos);
                alsoOnAnswer.accept(nanos);
            }

            @Override
            public void failed() {
                metrics.consulFailed(kind);
            }
        };
    }

    /** The first query does not block: its time is the time Consul takes to send the whole check list. */
    private void healthAnswered(long nanos) {
        synchronized (lock) {
            if (healthIndex == 0) {
                healthDelayNanos = nanos;
            }
        }
    }

    @Override
    public String toString() {
        return description;
    }
}
