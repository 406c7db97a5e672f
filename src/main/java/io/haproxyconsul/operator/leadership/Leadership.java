package io.haproxyconsul.operator.leadership;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.haproxyconsul.operator.config.OperatorConfig;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.interceptor.Interceptor;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * What this replica does when JOSDK's elector makes it lead or stop leading. JOSDK is told not to exit by itself:
 * it would call {@code System.exit} from within Quarkus' shutdown hook on SIGTERM, where it blocks forever.
 * <ul>
 * <li>Leading: the {@link LeaseWatchdog} halts the process if the Lease goes unrenewed for the renew deadline.</li>
 * <li>Stopped leading during shutdown: JOSDK has stopped reconciling by then, so the Lease is released and the
 * standby takes over at its next try.</li>
 * <li>Stopped leading otherwise (the Lease was lost, or not renewed in time): the process halts at once; in-flight
 * reconciliations must not write after another replica may have taken over.</li>
 * </ul>
 */
@Singleton
public class Leadership {

    private static final Logger LOG = Logger.getLogger(Leadership.class);
    /** How often the watchdog looks at the clock: how late after the renew deadline it may halt. */
    static final Duration CHECK_INTERVAL = Duration.ofMillis(250);

    /** Runs a task again and again, a period apart. */
    @FunctionalInterface
    interface Repeat {
        void every(Duration period, Runnable task);
    }

    private final LeaseClaim claim;
    private final Duration readInterval;
    private final LeaseWatchdog watchdog;
    private final Supplier<OwnLease> leaseAccess;
    private final Halt halt;
    private final Repeat repeat;
    private volatile boolean shuttingDown;
    private OwnLease lease;

    @Inject
    Leadership(OperatorConfig config, KubernetesClient client) {
        this(claim(config.leaderElection(), client), config.leaderElection(), Clock.systemUTC(), client,
                Leadership::haltNow);
    }

    private Leadership(LeaseClaim claim, OperatorConfig.LeaderElection settings, Clock clock, KubernetesClient client,
            Halt halt) {
        // The Lease is read only once this replica leads: by then JOSDK has checked that its namespace is known.
        this(claim, settings.retryPeriod(), new LeaseWatchdog(clock, settings.renewDeadline(), halt),
                () -> new KubernetesLease(client, claim, clock), halt, Leadership::onOwnThread);
    }

    Leadership(LeaseClaim claim, Duration readInterval, LeaseWatchdog watchdog, Supplier<OwnLease> leaseAccess,
            Halt halt, Repeat repeat) {
        this.claim = claim;
        this.readInterval = readInterval;
        this.watchdog = watchdog;
        this.leaseAccess = leaseAccess;
        this.halt = halt;
        this.repeat = repeat;
    }

    /** This replica's name in the Lease. */
    public String identity() {
        return claim.identity();
    }

    /** For JOSDK's leader-election configuration; JOSDK logs new leaders itself. */
    public LeaderCallbacks callbacks() {
        return new LeaderCallbacks(this::startedLeading, this::stoppedLeading, leader -> {
        });
    }

    /** Before the Operator SDK's own shutdown observer stops the operator, and with it the elector. */
    void onShutdown(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) ShutdownEvent event) {
        shuttingDown = true;
    }

    synchronized void startedLeading() {
        watchdog.startedLeading();
        if (lease == null) {
            lease = leaseAccess.get();
            // Each on a thread of its own: a read that hangs never delays the check.
            repeat.every(readInterval, this::readLease);
            repeat.every(CHECK_INTERVAL, watchdog::check);
        }
    }

    synchronized void stoppedLeading() {
        if (!shuttingDown) {
            halt.halt("it no longer holds its Lease (another replica took it, or it was not renewed in time)");
            return;
        }
        try {
            if (lease.release()) {
                watchdog.stoppedLeading();
                LOG.infof("Released the Lease %s/%s for the standby", claim.namespace(), claim.name());
            }
        } catch (KubernetesClientException e) {
            // The watchdog stays armed: should shutdown outlast the renew deadline, it halts the process.
            LOG.warnf("Could not release the Lease %s/%s (%s): the standby takes it when it expires",
                    claim.namespace(), claim.name(), e.getMessage());
        }
    }

    private void readLease() {
        try {
            lease.renewTime().ifPresent(watchdog::renewed);
        } catch (RuntimeException e) {
            LOG.debugf("Lease not read (%s): the watchdog counts from the last renewal it saw", e.getMessage());
        }
    }

    private static LeaseClaim claim(OperatorConfig.LeaderElection settings, KubernetesClient client) {
        // Replicas on one host would share a host name: a random suffix keeps their identities apart.
        return new LeaseClaim(settings.leaseNamespace().orElseGet(client::getNamespace), settings.leaseName(),
                settings.identity().orElseGet(() -> "haproxy-consul-operator-" + UUID.randomUUID()));
    }

    private static void onOwnThread(Duration period, Runnable task) {
        Executors.newSingleThreadScheduledExecutor(runnable -> {
            var thread = new Thread(runnable, "leadership-watchdog");
            thread.setDaemon(true);
            return thread;
        }).scheduleWithFixedDelay(task, 0, period.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static void haltNow(String reason) {
        LOG.errorf("Stopping this replica at once: %s", reason);
        Runtime.getRuntime().halt(1);
    }
}
