package io.haproxyconsul.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBindingStatus;
import io.haproxyconsul.operator.api.v1alpha1.PublishedConfig;
import io.haproxyconsul.operator.api.v1alpha1.RemovalHold;
import io.haproxyconsul.operator.fleet.FleetOutcome;
import io.haproxyconsul.operator.fleet.Rollout;
import io.haproxyconsul.operator.publish.Publication;
import io.haproxyconsul.operator.reconciler.BindingStatusBuilder.BindingEvent;
import io.haproxyconsul.operator.runtime.PodServers;
import io.haproxyconsul.operator.runtime.PodServers.PodReport;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BindingStatusBuilderTest {

    private static final Clock T0 = Clock.fixed(Instant.parse("2026-12-03T10:00:00Z"), ZoneOffset.UTC);
    private static final Clock T1 = Clock.fixed(Instant.parse("2026-12-03T10:05:00Z"), ZoneOffset.UTC);
    private static final ConsulView SYNCED = new ConsulView(true, Optional.empty());

    private final PublishedConfig first = config("aaaa", "s1");
    private final PublishedConfig serversOnly = config("bbbb", "s1");

    @Test
    void aFirstPublicationWithoutAFleetIsReadyAndKnownGood() {
        var result = build(null, publishedNew(first), null);

        var status = result.status();
        assertThat(status.currentConfig).isSameAs(first);
        assertThat(status.lastKnownGoodConfig).isSameAs(first);
        assertThat(status.observedGeneration).isEqualTo(3L);
        assertCondition(status, "ConsulSynced", "True", "Synced");
        assertCondition(status, "ConfigValid", "True", "Published");
        assertCondition(status, "Ready", "True", "Published");
        assertThat(condition(status, "Ready").getMessage()).contains("aaaa").contains("ConfigMap edge-aaaa");
        assertThat(result.events()).containsExactly(new BindingEvent(false, "ConfigPublished",
                "published edge-aaaa (2 services, 5 servers, 100 bytes)"));
    }

    @Test
    void waitingForConsulIsNotReady() {
        var status = BindingStatusBuilder.build(null, 1, LoopOutcome.waiting(new ConsulView(false, Optional.empty()),
                null), T0).status();

        assertCondition(status, "ConsulSynced", "False", "WaitingForConsul");
        assertCondition(status, "Ready", "False", "WaitingForConsul");
    }

    @Test
    void anUnreachableConsulIsAWarningWhileTheLastConfigurationKeepsServing() {
        var prior = build(null, publishedNew(first), null).status();
        var outcome = new LoopOutcome(null, new ConsulView(true, Optional.of("catalog: Connection refused")),
                null, null, null);

        var result = BindingStatusBuilder.build(prior, 3, outcome, T1);

        assertCondition(result.status(), "ConsulSynced", "False", "ConsulUnreachable");
        assertThat(condition(result.status(), "ConsulSynced").getMessage())
                .isEqualTo("Consul cannot be reached (serving the last configuration): catalog: Connection refused");
        assertCondition(result.status(), "Ready", "True", "Published");
        assertThat(result.events()).extracting(BindingEvent::reason).containsExactly("ConsulUnreachable");
    }

    @Test
    void aRefusedCandidateKeepsTheCurrentOneAndSaysHaproxysLineOnce() {
        var prior = build(null, publishedNew(first), null).status();
        var refused = new Publication.Refused("cccc", "parsing [haproxy.cfg:7] : unknown keyword 'bogus'");

        var result = build(prior, refused, null);
        var status = result.status();

        assertThat(status.currentConfig).isSameAs(first);
        assertThat(status.rejectedConfigHash).isEqualTo("cccc");
        assertThat(status.lastValidationError).isEqualTo("parsing [haproxy.cfg:7] : unknown keyword 'bogus'");
        assertCondition(status, "ConfigValid", "False", "ValidationFailed");
        assertCondition(status, "Ready", "False", "ValidationFailed");
        assertThat(result.events()).extracting(BindingEvent::reason).containsExactly("ValidationFailed");

        var again = build(status, new Publication.KnownBad("cccc"), null);
        assertThat(again.events()).isEmpty();
        assertCondition(again.status(), "ConfigValid", "False", "ValidationFailed");
        assertThat(condition(again.status(), "ConfigValid").getLastTransitionTime())
                .isEqualTo(condition(status, "ConfigValid").getLastTransitionTime());
    }

    @Test
    void aCandidateThatRemovesTooMuchIsHeldUntilOneIsPublished() {
        var prior = build(null, publishedNew(first), null).status();
        var hold = new RemovalHold();
        hold.configHash = "dddd";
        hold.since = "2026-12-03T10:00:00Z";
        hold.servedServices = 2;
        hold.servedServers = 5;

        var held = build(prior, new Publication.Held(hold), null);

        assertThat(held.status().currentConfig).isSameAs(first);
        assertThat(held.status().removalHold).isSameAs(hold);
        assertCondition(held.status(), "Ready", "False", "RemovalHeld");
        assertThat(condition(held.status(), "Ready").getMessage()).contains("would leave 0 of 2 services and 0 of 5 "
                + "servers").contains("haproxyconsul.io/approve-removal=dddd");
        assertThat(held.events()).extracting(BindingEvent::reason).containsExactly("RemovalHeld");

        var released = build(held.status(), publishedNew(serversOnly), null);
        assertThat(released.status().removalHold).isNull();
        assertCondition(released.status(), "Ready", "True", "Published");
    }

    @Test
    void aFleetIsReadyOnlyWhenEveryPodLoadsItsConfigurationAndServesTheCurrentServers() {
        var rolling = build(null, publishedNew(first), progress(first, 3, 2, List.of(synced("a"), synced("b"),
                new PodReport("c", "aaaa", PodServers.State.UNREACHABLE, "HAProxy is not running yet"))));

        assertThat(rolling.status().lastKnownGoodConfig).isNull();
        assertThat(rolling.status().fleet.syncedReplicas).isEqualTo(2);
        assertCondition(rolling.status(), "RolledOut", "False", "RollingOut");
        assertThat(condition(rolling.status(), "RolledOut").getMessage())
                .isEqualTo("2 of 3 pods on configuration aaaa, 2 ready, 2 serving the current servers; pod c: "
                        + "HAProxy is not running yet");
        assertCondition(rolling.status(), "Ready", "False", "RollingOut");

        var done = build(rolling.status(), new Publication.Published(first, false), progress(first, 3, 3,
                List.of(synced("a"), synced("b"), synced("c"))));
        assertCondition(done.status(), "RolledOut", "True", "RolledOut");
        assertCondition(done.status(), "Ready", "True", "Published");
        assertThat(done.status().lastKnownGoodConfig).isSameAs(first);
        assertThat(done.status().fleet.lastKnownGoodPodConfig).isSameAs(first);

        var live = build(done.status(), publishedNew(serversOnly), progress(first, 3, 3, List.of(synced("a"),
                synced("b"), synced("c"))));
        assertThat(condition(live.status(), "RolledOut").getMessage())
                .isEqualTo("all 3 pods run configuration aaaa and serve the servers of configuration bbbb");
        assertThat(live.status().lastKnownGoodConfig).isSameAs(serversOnly);
        assertThat(live.status().fleet.podConfig).isSameAs(first);
    }

    @Test
    void podsThatRefuseAConfigurationSendTheFleetBackAndItsStructureIsNotTriedAgain() {
        var good = build(null, publishedNew(first), progress(first, 2, 2, List.of(synced("a"), synced("b"))))
                .status();
        var refused = config("eeee", "s2");

        var result = build(good, publishedNew(refused), new FleetOutcome.RolledBack(refused,
                "pod edge-haproxy-x: parsing [haproxy.cfg:30] : unknown keyword", first, first, rollout(2, 1)));
        var status = result.status();

        assertThat(status.currentConfig).isSameAs(first);
        assertThat(status.fleet.podConfig).isSameAs(first);
        assertThat(status.rejectedConfigHash).isEqualTo("eeee");
        assertThat(status.rejectedStructureHash).isEqualTo("s2");
        assertThat(status.lastValidationError).contains("unknown keyword");
        assertCondition(status, "ConfigValid", "False", "FleetValidationFailed");
        assertCondition(status, "RolledOut", "False", "RolledBack");
        assertCondition(status, "Ready", "False", "FleetValidationFailed");
        assertThat(result.events()).extracting(BindingEvent::reason)
                .containsExactly("ConfigPublished", "FleetValidationFailed", "RolledBack");
    }

    @Test
    void anInvalidSpecSaysWhichField() {
        var result = BindingStatusBuilder.build(null, 2, LoopOutcome.invalidSpec(
                "spec.consul.tokenSecretRef: Secret acl not found", null), T0);

        assertCondition(result.status(), "ConsulSynced", "False", "InvalidSpec");
        assertCondition(result.status(), "Ready", "False", "InvalidSpec");
        assertThat(result.events()).containsExactly(new BindingEvent(true, "InvalidSpec",
                "spec.consul.tokenSecretRef: Secret acl not found"));
    }

    @Test
    void newlyRejectedValuesAreAWarningOnce() {
        var outcome = new LoopOutcome(null, SYNCED, List.of("service bad\\x0aname: name is not valid"),
                publishedNew(first), null);
        var once = BindingStatusBuilder.build(null, 3, outcome, T0);
        var second = BindingStatusBuilder.build(once.status(), 3, outcome, T1);

        assertThat(once.status().rejectedValues).containsExactly("service bad\\x0aname: name is not valid");
        assertThat(once.events()).extracting(BindingEvent::reason).contains("ConsulValueRejected");
        assertThat(second.events()).extracting(BindingEvent::reason).doesNotContain("ConsulValueRejected");
    }

    private static BindingStatusBuilder.Result build(HaproxyConsulBindingStatus prior, Publication publication,
            FleetOutcome fleet) {
        return BindingStatusBuilder.build(prior, 3, new LoopOutcome(null, SYNCED, List.of(), publication, fleet),
                prior == null ? T0 : T1);
    }

    private static Publication publishedNew(PublishedConfig config) {
        return new Publication.Published(config, true);
    }

    private static FleetOutcome progress(PublishedConfig pods, int desired, int ready, List<PodReport> reports) {
        return new FleetOutcome.Progress(pods, new Rollout(pods.hash, desired, ready, ready, ready == desired,
                Optional.empty()), new PodServers.Report(reports), null);
    }

    private static Rollout rollout(int desired, int ready) {
        return new Rollout("x", desired, ready, ready, false, Optional.empty());
    }

    private static PodReport synced(String pod) {
        return new PodReport(pod, "aaaa", PodServers.State.SYNCED, "");
    }

    private static PublishedConfig config(String hash, String structure) {
        var config = new PublishedConfig();
        config.hash = hash;
        config.structureHash = structure;
        config.configMapName = "edge-" + hash;
        config.services = 2;
        config.servers = 5;
        config.bytes = 100;
        return config;
    }

    private static Condition condition(HaproxyConsulBindingStatus status, String type) {
        return status.conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElseThrow();
    }

    private static void assertCondition(HaproxyConsulBindingStatus status, String type, String value, String reason) {
        var condition = condition(status, type);
        assertThat(condition.getStatus()).as(type + " " + condition.getMessage()).isEqualTo(value);
        assertThat(condition.getReason()).as(type + " " + condition.getMessage()).isEqualTo(reason);
    }
}
