package io.haproxyconsul.operator.consul;

import io.haproxyconsul.operator.config.OperatorConfig;
import io.haproxyconsul.operator.consul.BlockingWatch.Answer;
import io.haproxyconsul.operator.consul.CatalogView.Instances;
import io.haproxyconsul.operator.consul.CatalogView.Refused;
import io.haproxyconsul.operator.consul.CatalogView.ServiceRead;
import io.haproxyconsul.operator.consul.ServiceInstance.HealthStatus;
import io.haproxyconsul.operator.metrics.OperatorMetrics;
import io.vertx.core.AsyncResult;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What one Consul knows of its services, kept current over a fixed number of connections: one long poll of the
 * catalog's service list, one of every health check's state, and plain reads of the instances of just the
 * services that changed. consul-template holds one long poll per service instead, which runs into the agent's
 * limit of 200 connections per client at a few hundred services.
 *
 * <p>Which services changed: the catalog list names new, removed and retagged services; the check states name
 * services that gained or lost a checked instance. A status change needs no read, since health is judged here
 * from the check states as Consul's health endpoint judges it. A catalog move the check states do not explain (an
 * instance without checks, a new address or tags) reads every wanted service again, and so does a periodic resync,
 * for what no index shows. When an index goes backwards (a new agent, a restored snapshot) everything read before
 * belongs to another state: every wanted service is read again.
 *
 * <p>A state machine: Consul's answers and timer ticks come in; reads of Consul ({@link CatalogReads}) and a
 * notice of change ({@code onChange}, once per burst of answers) go out; time, timers and chance come from a
 * {@link WatchClock}. Not thread-safe: the operator runs every call of one mirror on one Vert.x context, tests on
 * their own thread. Other threads read only {@link #view()}, an immutable value published before each notice.
 */
final class CatalogMirror {

    /**
     * How long a catalog move waits at least for the health-state poll to name its service before reading them
     * all; longer when the check list takes longer to arrive (twice its last delay: seconds at 50,000 checks).
     */
    private static final long SETTLE_MIN_MILLIS = 200;

    /** One wanted service and the last read of its instances. */
    private static final class Service {
        final String name;
        /** As last read, null before the first answer or when refused. */
        List<ServiceInstance> instances;
        long index;
        /** Why Consul will not answer for it, or null. */
        String refused;
        /** Why its last read failed, or null. */
        WatchFailure failure;
        int failures;
        boolean inFlight;
        /** A read was asked for while one was in flight: it follows that one. */
        boolean again;
        /** Cancels the retry after a failed read; null when none waits. */
        Runnable retry;

        Service(String name) {
            this.name = name;
        }
    }

    private final String description;
    private final CatalogReads consul;
    private final OperatorConfig.Consul timing;
    private final WatchClock clock;
    private final Retries retries;
    private final OperatorMetrics metrics;
    private final Runnable onChange;
    private final BlockingWatch<Map<String, List<String>>> catalog;
    private final BlockingWatch<HealthChecks> health;
    private final Map<String, Service> services = new HashMap<>();

    private List<ServiceSelector> selectors = List.of();
    private Map<String, List<String>> knownCatalog = Map.of();
    private long catalogIndex;
    private HealthChecks knownChecks = HealthChecks.NONE;
    private long healthIndex;
    /** The health index at which a service last gained or lost checks. */
    private long checksChangedAt;
    /** A catalog index no poll has explained yet, 0 if none. */
    private long unexplainedMove;
    private Runnable settleTimer;
    private Runnable resyncTimer = () -> {
    };
    /** When the catalog last moved (nanoTime), until the check list catches up with it; 0 after. */
    private long catalogMovedAt;
    /** How long the check list last took to follow a catalog move, or to arrive in full the first time. */
    private long healthDelayNanos;
    private boolean notifyPending;
    private boolean closed;
    private volatile CatalogView view = CatalogView.WAITING;

    CatalogMirror(ConsulEndpoint endpoint, CatalogReads consul, OperatorConfig.Consul timing, WatchClock clock,
            Retries retries, OperatorMetrics metrics, Runnable onChange) {
        this.description = "services of " + endpoint;
        this.consul = consul;
        this.timing = timing;
        this.clock = clock;
        this.retries = retries;
        this.metrics = metrics;
        this.onChange = onChange;
        this.catalog = new BlockingWatch<>("catalog services of " + endpoint, "catalog", timing, clock, retries,
                metrics, consul::services, new BlockingWatch.Listener() {
                    @Override
                    public void answered(boolean restarted, long nanos) {
                        catalogMoved(restarted);
                    }

                    @Override
                    public void failed() {
                        changed();
                    }
                });
        this.health = new BlockingWatch<>("health checks of " + endpoint, "health_state", timing, clock, retries,
                metrics, consul::checks, new BlockingWatch.Listener() {
                    @Override
                    public void answered(boolean restarted, long nanos) {
                        healthMoved(restarted, nanos);
                    }

                    @Override
                    public void failed() {
                        changed();
                    }
                });
    }

    void start() {
        catalog.start();
        health.start();
        scheduleResync();
    }

    void close() {
        closed = true;
        catalog.stop();
        health.stop();
        cancelSettle();
        resyncTimer.run();
        services.values().forEach(CatalogMirror::cancelRetry);
    }

    /** The bindings on this Consul select with these: read the services they select, forget the others. */
    void want(List<ServiceSelector> selectors) {
        this.selectors = List.copyOf(selectors);
        followCatalog(Set.of());
        changed();
    }

    /** The latest published view; any thread. */
    CatalogView view() {
        return view;
    }

    private void catalogMoved(boolean restarted) {
        if (closed) {
            return;
        }
        if (restarted) {
            catalogIndex = 0;
        }
        if (catalog.index() != catalogIndex) {
            boolean first = catalogIndex == 0;
            catalogIndex = catalog.index();
            var retagged = new HashSet<String>();
            var latest = catalog.latest();
            if (!first) {
                latest.forEach((name, tags) -> {
                    if (!tags.equals(knownCatalog.get(name))) {
                        retagged.add(name);
                    }
                });
            }
            knownCatalog = latest;
            followCatalog(retagged);
            catalogMovedAt = clock.nanoTime().getAsLong();
            if (!first) {
                explain(catalogIndex);
            }
        }
        if (restarted) {
            startOver();
        }
        changed();
    }

    private void healthMoved(boolean restarted, long nanos) {
        if (closed) {
            return;
        }
        if (restarted) {
            healthIndex = 0;
        }
        if (health.index() != healthIndex) {
            boolean first = healthIndex == 0;
            if (first) {
                // The first query does not block: its time is the time Consul takes to send the whole list.
                healthDelayNanos = nanos;
            }
            healthIndex = health.index();
            var latest = health.latest();
            var rechecked = latest.servicesWithOtherChecks(knownChecks);
            knownChecks = latest;
            if (!first && !rechecked.isEmpty()) {
                checksChangedAt = healthIndex;
                rechecked.stream().filter(services::containsKey).forEach(this::read);
            }
            if (catalogMovedAt != 0 && healthIndex >= catalogIndex) {
                if (healthIndex == catalogIndex) {
                    // One write moved both: how far the check list lags behind the catalog.
                    healthDelayNanos = clock.nanoTime().getAsLong() - catalogMovedAt;
                }
                catalogMovedAt = 0;
            }
            if (unexplainedMove != 0 && healthIndex >= unexplainedMove) {
                settled(rechecked.isEmpty());
            }
        }
        if (restarted) {
            startOver();
        }
        changed();
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
            readAll();
            return;
        }
        unexplainedMove = Math.max(unexplainedMove, index);
        if (settleTimer == null) {
            long settle = Math.max(SETTLE_MIN_MILLIS, 2 * healthDelayNanos / 1_000_000);
            settleTimer = clock.scheduler().schedule(Duration.ofMillis(settle), () -> {
                settleTimer = null;
                if (!closed && unexplainedMove != 0) {
                    settled(true);
                }
            });
        }
    }

    private void settled(boolean stillUnexplained) {
        unexplainedMove = 0;
        cancelSettle();
        if (stillUnexplained) {
            readAll();
        }
    }

    private void cancelSettle() {
        if (settleTimer != null) {
            settleTimer.run();
            settleTimer = null;
        }
    }

    /** An index went backwards: what was read before is of another state of Consul, so read it all again. */
    private void startOver() {
        checksChangedAt = 0;
        unexplainedMove = 0;
        catalogMovedAt = 0;
        cancelSettle();
        services.values().forEach(service -> service.index = 0);
        // A read in flight now was asked for by the answer that showed the restart: it reads the new state.
        services.values().stream().filter(service -> !service.inFlight).map(service -> service.name).toList()
                .forEach(this::read);
    }

    private void scheduleResync() {
        resyncTimer = clock.scheduler().schedule(timing.resyncPeriod(), () -> {
            if (!closed) {
                readAll();
                scheduleResync();
            }
        });
    }

    private boolean wanted(String name, List<String> tags) {
        return selectors.stream().anyMatch(selector -> selector.selects(name, tags));
    }

    /** Reads wanted services not read yet and those named, forgets those no longer wanted or listed. */
    private void followCatalog(Set<String> changed) {
        services.values().removeIf(service -> {
            var tags = knownCatalog.get(service.name);
            boolean gone = tags == null || !wanted(service.name, tags);
            if (gone) {
                cancelRetry(service);
            }
            return gone;
        });
        knownCatalog.forEach((name, tags) -> {
            if (wanted(name, tags) && (!services.containsKey(name) || changed.contains(name))) {
                read(name);
            }
        });
    }

    private void readAll() {
        List.copyOf(services.keySet()).forEach(this::read);
    }

    /**
     * One plain read of a service's instances. A read asked for while one is in flight follows it; one asked for
     * while a failed read waits for its retry is that retry. A name Consul cannot be asked about is never read.
     */
    private void read(String name) {
        var service = services.computeIfAbsent(name, Service::new);
        var unaskable = ServiceNames.unaskable(name);
        if (unaskable.isPresent()) {
            service.refused = unaskable.get();
            return;
        }
        if (service.inFlight) {
            service.again = true;
            return;
        }
        if (service.retry != null) {
            return;
        }
        service.inFlight = true;
        long started = clock.nanoTime().getAsLong();
        consul.instances(name).onComplete(result -> answered(service, result, clock.nanoTime().getAsLong() - started));
    }

    private void answered(Service service, AsyncResult<Answer<List<ServiceInstance>>> result, long nanos) {
        service.inFlight = false;
        if (closed || services.get(service.name) != service) {
            return;
        }
        boolean recovered = service.failure != null;
        if (result.succeeded()) {
            metrics.consulAnswered("instances", nanos);
            service.instances = result.result().value();
            service.index = result.result().index();
            service.refused = null;
            service.failure = null;
            service.failures = 0;
        } else if (result.cause() instanceof ConsulRefusal refusal && refusal.refusesQuestion()) {
            metrics.consulFailed("instances");
            service.instances = null;
            service.refused = refusal.getMessage();
            service.failure = null;
            service.failures = 0;
        } else {
            metrics.consulFailed("instances");
            service.failure = WatchFailure.after(service.failure, "instances of " + service.name, result.cause(),
                    clock.wall().instant());
            service.again = false;
            service.failures++;
            var delay = BlockingQueryIndex.backoff(service.failures, timing.retryMin(), timing.retryMax(),
                    clock.jitter());
            service.retry = retries.after(delay, () -> {
                service.retry = null;
                if (!closed && services.get(service.name) == service) {
                    read(service.name);
                }
            });
        }
        if (recovered && service.failure == null) {
            retries.consulAnswersAgain();
        }
        if (service.again) {
            service.again = false;
            read(service.name);
        }
        changed();
    }

    private static void cancelRetry(Service service) {
        if (service.retry != null) {
            service.retry.run();
            service.retry = null;
        }
    }

    /** Publishes the view and tells the owner once for a burst of answers, not once for each of thousands. */
    private void changed() {
        if (!notifyPending) {
            notifyPending = true;
            clock.scheduler().schedule(Duration.ZERO, () -> {
                notifyPending = false;
                if (!closed) {
                    view = currentView();
                    onChange.run();
                }
            });
        }
    }

    private CatalogView currentView() {
        var failures = Stream.of(catalog.failure(), health.failure()).filter(Objects::nonNull).toList();
        if (catalog.latest() == null || health.latest() == null) {
            return new CatalogView(false, Map.of(), Map.of(), failures, Map.of());
        }
        var reads = new HashMap<String, ServiceRead>();
        var readFailures = new HashMap<String, WatchFailure>();
        services.values().forEach(service -> {
            if (service.refused != null) {
                reads.put(service.name, new Refused(service.refused));
            } else if (service.instances != null) {
                reads.put(service.name, new Instances(judged(service)));
            }
            if (service.failure != null) {
                readFailures.put(service.name, service.failure);
            }
        });
        return new CatalogView(true, knownCatalog, reads, failures, readFailures);
    }

    /** Instances with health from the check states, unless the read is newer than them. */
    private List<ServiceInstance> judged(Service service) {
        if (healthIndex < service.index) {
            return service.instances;
        }
        return service.instances.stream().map(i -> withHealth(i, knownChecks.status(i.node(), i.serviceId())))
                .toList();
    }

    private static ServiceInstance withHealth(ServiceInstance i, HealthStatus health) {
        return health == i.health() ? i
                : new ServiceInstance(i.serviceId(), i.node(), i.address(), i.port(), i.tags(), health);
    }

    @Override
    public String toString() {
        return description;
    }
}
