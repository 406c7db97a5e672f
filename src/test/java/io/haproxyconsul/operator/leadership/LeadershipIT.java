package io.haproxyconsul.operator.leadership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.haproxyconsul.operator.testenv.ControlPlane;
import io.haproxyconsul.operator.testenv.ControlPlane.ApiServerOutage;
import io.haproxyconsul.operator.testenv.ManagedProcess;
import io.haproxyconsul.operator.testenv.OperatorProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Two replicas of the packaged operator, each a process of its own (as {@link OperatorProcess} runs them) with its
 * own identity in the Lease, against a control plane of their own whose API server the tests take away: one
 * replica leads at a time when the leader is asked to stop, and when the API server shuts down, crashes or freezes.
 *
 * <p>Its own control plane, so the main suite's in-process operator never sees these replicas' work.
 */
class LeadershipIT {

    private static final Logger LOG = Logger.getLogger(LeadershipIT.class);
    private static final String LEASE = "haproxy-consul-operator";
    /** application.properties' hco.leader-election settings, which the replicas run with. */
    private static final Duration LEASE_DURATION = Duration.ofSeconds(15);
    private static final Duration RETRY_PERIOD = Duration.ofSeconds(2);
    /** fabric8's LeaderElector waits a retry period plus up to 1.2 times it between two tries to acquire. */
    private static final Duration JITTERED_RETRY_PERIOD = RETRY_PERIOD.multipliedBy(22).dividedBy(10);
    /** Issue 15: a leader asked to stop exits within this. */
    private static final Duration EXIT_BOUND = Duration.ofSeconds(5);
    /** As long as the outage issue 15 saw: longer than the Lease. */
    private static final Duration OUTAGE = Duration.ofMillis(22_500);
    private static final Duration STARTUP = Duration.ofMinutes(2);

    private static ControlPlane plane;
    private static String token;
    private final List<ManagedProcess> replicas = new ArrayList<>();

    @BeforeAll
    static void controlPlane() {
        plane = ControlPlane.start();
        plane.applyCrds();
        token = plane.operatorToken();
    }

    @AfterAll
    static void stopControlPlane() {
        if (plane != null) {
            plane.close();
        }
    }

    @AfterEach
    void stopReplicas() {
        plane.resumeApiServer();
        replicas.forEach(ManagedProcess::close);
        lease().delete();
    }

    @Test
    void aLeaderAskedToStopExitsAtOnceAndReleasesItsLeaseToTheStandby() {
        var leader = replica("a");
        awaitHolder("a");
        awaitStandby(replica("b"), "a");
        var released = new CompletableFuture<Instant>();
        try (Watch watch = lease().watch(new LeaseWatcher(lease -> {
            if (holder(lease).isEmpty()) {
                released.complete(lease.getSpec().getRenewTime().toInstant());
            }
        }))) {
            Instant sigterm = Instant.now();
            leader.stop(Duration.ofSeconds(30));
            Duration exit = Duration.between(sigterm, Instant.now());
            // When the API server took the standby's claim (its own stamp on the write), not the claim's acquireTime:
        // the standby stamps that when it sends the claim, which may wait out the outage before it lands.
        Instant takeover = awaitHolder("b").getMetadata().getManagedFields().stream()
                .map(fields -> Instant.parse(fields.getTime())).max(Instant::compareTo).orElseThrow();
            LOG.infof("SIGTERM to the leader: exited in %d ms; the standby leads %d ms after the SIGTERM",
                    exit.toMillis(), Duration.between(sigterm, takeover).toMillis());

            assertThat(exit).as("time from SIGTERM to the leader's exit").isLessThan(EXIT_BOUND);
            assertThat(released).as("the leader released its Lease").isCompleted();
            Duration afterRelease = Duration.between(released.join(), takeover);
            LOG.infof("the standby leads %d ms after the leader released the Lease", afterRelease.toMillis());
            assertThat(afterRelease).as("time from the release to the standby's lead")
                    .isLessThanOrEqualTo(JITTERED_RETRY_PERIOD);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ApiServerOutage.class)
    void aLeaderThatCannotRenewItsLeaseStopsBeforeAnotherReplicaCanTakeIt(ApiServerOutage outage) {
        var leader = replica("a");
        awaitHolder("a");
        var standby = replica("b");
        awaitStandby(standby, "a");
        var leaderExited = leader.onExit().thenApply(process -> Instant.now());
        // Right after a renewal, so that this is the Lease's last renewal before the API server goes.
        Instant lastRenewal = awaitRenewal("a");
        Instant interrupted = Instant.now();
        plane.interruptApiServer(outage);
        Instant expiry = lastRenewal.plus(LEASE_DURATION);

        await("the leader stops before its Lease expires").atMost(Duration.between(Instant.now(), expiry))
                .pollInterval(Duration.ofMillis(100)).until(leaderExited::isDone);
        LOG.infof("API server %s: the leader stopped %d ms after its last renewal (its Lease expires at %d ms)",
                outage, Duration.between(lastRenewal, leaderExited.join()).toMillis(), LEASE_DURATION.toMillis());
        await("the standby rides out the outage").during(remaining(interrupted.plus(OUTAGE)))
                .atMost(OUTAGE.plusSeconds(5)).until(standby::isAlive);
        plane.resumeApiServer();

        // When the API server took the standby's claim (its own stamp on the write), not the claim's acquireTime:
        // the standby stamps that when it sends the claim, which may wait out the outage before it lands.
        Instant takeover = awaitHolder("b").getMetadata().getManagedFields().stream()
                .map(fields -> Instant.parse(fields.getTime())).max(Instant::compareTo).orElseThrow();
        LOG.infof("API server %s: the standby leads %d ms after the leader's last renewal", outage,
                Duration.between(lastRenewal, takeover).toMillis());
        assertThat(leaderExited.join()).as("the old leader's exit, before the new leader's start")
                .isBefore(takeover);
    }

    private ManagedProcess replica(String identity) {
        var process = OperatorProcess.start("operator-" + identity, plane, token,
                Map.of("HCO_LEADER_ELECTION_IDENTITY", identity));
        replicas.add(process);
        return process;
    }

    /** Until the replica's elector has seen the Lease held by the leader: it is the standby. */
    private static void awaitStandby(ManagedProcess process, String leader) {
        await(process + " sees " + leader + " lead").atMost(STARTUP).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    process.assertAlive();
                    return read(process).contains("New leader with identity: " + leader);
                });
    }

    private Lease awaitHolder(String identity) {
        return await(identity + " holds the Lease").atMost(STARTUP).pollInterval(Duration.ofMillis(100))
                .ignoreExceptions().until(() -> lease().get(), lease -> holder(lease).equals(identity));
    }

    /** Waits for the holder's next renewal and returns its time. */
    private Instant awaitRenewal(String identity) {
        Instant seen = awaitHolder(identity).getSpec().getRenewTime().toInstant();
        return await("a renewal by " + identity).atMost(LEASE_DURATION).pollInterval(Duration.ofMillis(20))
                .until(() -> lease().get().getSpec().getRenewTime().toInstant(), renewed -> renewed.isAfter(seen));
    }

    private static Resource<Lease> lease() {
        return plane.client().leases().inNamespace(ControlPlane.OPERATOR_NAMESPACE).withName(LEASE);
    }

    private static String holder(Lease lease) {
        return lease == null || lease.getSpec().getHolderIdentity() == null ? "" : lease.getSpec().getHolderIdentity();
    }

    private static Duration remaining(Instant until) {
        return Duration.between(Instant.now(), until);
    }

    private static String read(ManagedProcess process) {
        try {
            return Files.readString(process.log());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private record LeaseWatcher(Consumer<Lease> onChange) implements Watcher<Lease> {
        @Override
        public void eventReceived(Action action, Lease lease) {
            onChange.accept(lease);
        }

        @Override
        public void onClose(WatcherException cause) {
        }
    }
}
