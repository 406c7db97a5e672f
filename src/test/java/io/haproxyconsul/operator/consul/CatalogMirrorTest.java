package io.haproxyconsul.operator.consul;

import static io.haproxyconsul.operator.consul.ServiceInstance.HealthStatus.CRITICAL;
import static io.haproxyconsul.operator.consul.ServiceInstance.HealthStatus.PASSING;
import static org.assertj.core.api.Assertions.assertThat;

import io.haproxyconsul.operator.api.v1alpha1.ServiceSelectionSpec;
import io.haproxyconsul.operator.config.OperatorConfig;
import io.haproxyconsul.operator.consul.HealthChecks.Check;
import io.haproxyconsul.operator.consul.ServiceInstance.HealthStatus;
import io.haproxyconsul.operator.metrics.OperatorMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The catalog mirror as a state machine: a Consul answered by hand, time moved by hand. Each test starts from a
 * mirror that has read web and api (tagged http) at index 10, with one passing instance each, and ignores db.
 */
class CatalogMirrorTest {

    /** The operator's defaults. */
    static final OperatorConfig.Consul TIMING = new Timing(Duration.ofMinutes(5), Duration.ofMinutes(5),
            Duration.ofMillis(20), Duration.ofMillis(250), Duration.ofSeconds(30), 64);

    private record Timing(Duration blockingWait, Duration resyncPeriod, Duration minQueryInterval, Duration retryMin,
            Duration retryMax, int maxConnections) implements OperatorConfig.Consul {
    }

    private static final ServiceSelector HTTP = ServiceSelector.from(new ServiceSelectionSpec());
    private static final Map<String, List<String>> CATALOG = Map.of("web", List.of("http"), "api", List.of("http"),
            "db", List.of("tcp"));

    private final ManualTime time = new ManualTime();
    private final FakeConsul consul = new FakeConsul();
    private final AtomicInteger notices = new AtomicInteger();
    private final CatalogMirror mirror = new CatalogMirror(new ConsulEndpoint(java.net.URI.create(
            "http://127.0.0.1:8500"), null, null, null, false), consul, TIMING, time.clock(),
            new Retries(time), new OperatorMetrics(new SimpleMeterRegistry()), notices::incrementAndGet);
    private final List<Check> checks = new ArrayList<>(List.of(check("web-1", "web", PASSING),
            check("api-1", "api", PASSING)));

    @BeforeEach
    void webAndApiReadAtIndexTen() {
        mirror.start();
        mirror.want(List.of(HTTP));
        consul.answerServices(10, CATALOG);
        consul.answerChecks(10, checks());
        assertThat(consul.reads).containsExactlyInAnyOrder("web", "api");
        consul.answerInstances("web", 10, List.of(instance("web-1", "10.0.0.1")));
        consul.answerInstances("api", 10, List.of(instance("api-1", "10.0.0.2")));
        time.runDue();
        assertThat(servers("web")).containsExactly("web-1@10.0.0.1");
        consul.reads.clear();
        nextPolls();
    }

    @Test
    void aCatalogMoveTheCheckListExplainsRereadsOnlyItsService() {
        consul.answerServices(12, CATALOG);
        checks.add(check("web-2", "web", PASSING));
        consul.answerChecks(12, checks());

        assertThat(consul.reads).containsExactly("web");
        consul.answerInstances("web", 12, List.of(instance("web-1", "10.0.0.1"), instance("web-2", "10.0.0.3")));
        time.advance(Duration.ofSeconds(1));
        assertThat(consul.reads).containsExactly("web");
        assertThat(servers("web")).containsExactly("web-1@10.0.0.1", "web-2@10.0.0.3");
    }

    @Test
    void aCatalogMoveTheCheckListDoesNotExplainRereadsEveryServiceOnceItHadTimeTo() {
        consul.answerServices(12, CATALOG);
        time.advance(Duration.ofMillis(199));
        assertThat(consul.reads).isEmpty();

        time.advance(Duration.ofMillis(1));
        assertThat(consul.reads).containsExactlyInAnyOrder("web", "api");
        consul.answerInstances("web", 12, List.of(instance("web-1", "10.0.0.1"), instance("web-9", "10.0.0.9")));
        consul.answerInstances("api", 12, List.of(instance("api-1", "10.0.0.2")));
        time.runDue();
        assertThat(servers("web")).containsExactly("web-1@10.0.0.1", "web-9@10.0.0.9");
    }

    @Test
    void aCheckListThatCatchesUpWithoutNamingAServiceRereadsEveryService() {
        consul.answerServices(12, CATALOG);
        consul.answerChecks(12, checks());

        assertThat(consul.reads).containsExactlyInAnyOrder("web", "api");
    }

    @Test
    void aCheckFlipReachesTheViewWithNoRead() {
        checks.set(0, check("web-1", "web", CRITICAL));
        consul.answerChecks(11, checks());
        time.runDue();

        assertThat(consul.reads).isEmpty();
        assertThat(servers("web")).isEmpty();
        assertThat(servers("api")).containsExactly("api-1@10.0.0.2");
    }

    @Test
    void aNewServiceIsReadAndNoBindingSeesTheCatalogUntilItAnswers() {
        consul.answerServices(11, with("search", List.of("http")));
        time.runDue();

        assertThat(consul.reads).containsExactly("search");
        assertThat(mirror.view().snapshot(HTTP, Map.of())).isEmpty();
        consul.answerInstances("search", 11, List.of(instance("search-1", "10.0.0.4")));
        time.runDue();
        assertThat(servers("search")).containsExactly("search-1@10.0.0.4");
    }

    @Test
    void aRemovedServiceLeavesTheViewAndItsLateAnswerIsIgnored() {
        consul.answerServices(11, CATALOG);
        time.advance(Duration.ofSeconds(1));
        consul.answerServices(13, Map.of("web", List.of("http"), "db", List.of("tcp")));
        time.runDue();
        consul.answerInstances("api", 11, List.of(instance("api-1", "10.0.0.2")));
        time.runDue();

        assertThat(snapshot().services()).containsOnlyKeys("web");
        assertThat(mirror.view().services()).containsOnlyKeys("web");
    }

    @Test
    void aNodesNewAddressArrivesWithTheResyncThoughNoIndexMoved() {
        time.advance(Duration.ofMinutes(5));

        assertThat(consul.reads).containsExactlyInAnyOrder("web", "api");
        consul.answerInstances("web", 10, List.of(instance("web-1", "10.0.0.7")));
        consul.answerInstances("api", 10, List.of(instance("api-1", "10.0.0.2")));
        time.runDue();
        assertThat(servers("web")).containsExactly("web-1@10.0.0.7");
        time.advance(Duration.ofMinutes(5));
        assertThat(consul.reads).hasSize(4);
    }

    @Test
    void aFailingReadBacksOffKeepsWhatItHadAndIsReported() {
        consul.answerServices(12, CATALOG);
        consul.answerChecks(12, checks());
        consul.failInstances("web", new IOException("Connection reset"));
        consul.answerInstances("api", 12, List.of(instance("api-1", "10.0.0.2")));
        time.runDue();

        assertThat(servers("web")).as("the last instances read").containsExactly("web-1@10.0.0.1");
        assertThat(mirror.view().failures(HTTP)).singleElement().satisfies(failure -> {
            assertThat(failure.watch()).isEqualTo("instances of web");
            assertThat(failure.error()).isEqualTo("Connection reset");
            assertThat(failure.since()).isEqualTo(ManualTime.START);
        });
        consul.reads.clear();
        time.advance(Duration.ofMillis(249));
        assertThat(consul.reads).isEmpty();
        time.advance(Duration.ofMillis(1));
        assertThat(consul.reads).containsExactly("web");

        consul.failInstances("web", new IOException("Connection reset"));
        time.advance(Duration.ofMillis(499));
        assertThat(consul.reads).containsExactly("web");
        time.advance(Duration.ofMillis(1));
        assertThat(consul.reads).containsExactly("web", "web");
        consul.answerInstances("web", 12, List.of(instance("web-1", "10.0.0.1")));
        time.runDue();
        assertThat(mirror.view().failures(HTTP)).isEmpty();
    }

    @Test
    void anIndexGoingBackwardsReadsEverythingAgainAndTrustsTheNewCheckStates() {
        consul.failServices();
        consul.failChecks();
        time.advance(Duration.ofSeconds(1));
        assertThat(consul.servicesAsked).endsWith(0L);
        assertThat(consul.checksAsked).endsWith(0L);

        // A fresh agent: lower indexes, web-1 failing its check there.
        consul.answerServices(3, CATALOG);
        assertThat(consul.reads).containsExactlyInAnyOrder("web", "api");
        consul.answerChecks(3, new HealthChecks(List.of(check("web-1", "web", CRITICAL),
                check("api-1", "api", PASSING))));
        time.runDue();
        assertThat(servers("web")).as("judged by the new agent's checks").isEmpty();

        consul.answerInstances("web", 3, List.of(instance("web-1", "10.0.0.1")));
        consul.answerInstances("api", 3, List.of(instance("api-1", "10.0.0.2")));
        nextPolls();
        consul.answerServices(3, CATALOG);
        nextPolls();
        assertThat(consul.servicesAsked).as("blocking from the new agent's index on").endsWith(0L, 0L, 3L);
        assertThat(servers("web")).isEmpty();
        assertThat(servers("api")).containsExactly("api-1@10.0.0.2");
    }

    @Test
    void aServiceConsulRefusesIsLeftOutWithItsReasonAndTheOthersAreServed() {
        consul.answerServices(11, with("dot", List.of("http")));
        // The check list moved with nothing to say: every wanted service is read again, the refused one too.
        consul.answerChecks(11, checks());
        consul.failInstances("dot", new ConsulRefusal(400, "Missing service name"));
        consul.failInstances("dot", new ConsulRefusal(400, "Missing service name"));
        consul.answerInstances("web", 11, List.of(instance("web-1", "10.0.0.1")));
        consul.answerInstances("api", 11, List.of(instance("api-1", "10.0.0.2")));
        time.runDue();

        var snapshot = snapshot();
        assertThat(snapshot.refused()).containsExactly(Map.entry("dot", "Consul answered 400: Missing service name"));
        assertThat(snapshot.services()).containsOnlyKeys("api", "web");
        assertThat(mirror.view().failures(HTTP)).isEmpty();
        consul.reads.clear();
        time.advance(Duration.ofMinutes(1));
        assertThat(consul.reads).as("a refusal is no failure to retry").isEmpty();
    }

    @Test
    void aNameConsulCannotBeAskedAboutIsNeverRead() {
        consul.answerServices(11, with("bad\nname", List.of("http")));
        time.advance(Duration.ofMinutes(5));

        assertThat(consul.reads).doesNotContain("bad\nname");
        assertThat(snapshot().refused()).containsOnlyKeys("bad\nname");
    }

    @Test
    void aFailingLongPollIsReportedSinceItsFirstFailureAndTellsTheOwner() {
        int before = notices.get();
        consul.failServices();
        time.advance(Duration.ofSeconds(3));
        consul.failServices();
        time.runDue();

        assertThat(notices.get()).isGreaterThan(before);
        assertThat(mirror.view().failures(HTTP)).singleElement().satisfies(failure -> {
            assertThat(failure.watch()).isEqualTo("catalog services of http://127.0.0.1:8500");
            assertThat(failure.since()).isEqualTo(ManualTime.START);
        });
        assertThat(servers("web")).as("the last view keeps serving").containsExactly("web-1@10.0.0.1");
    }

    @Test
    void whenOneQueryAnswersAgainEveryWaitingRetryRunsAtOnce() {
        consul.failServices();
        consul.failChecks();
        time.advance(Duration.ofMillis(250));
        consul.failServices();
        consul.failChecks();
        time.advance(Duration.ofMillis(500));
        consul.failServices();
        int catalogQueries = consul.servicesAsked.size();
        // The catalog's next retry is in 1 s; the check list's came first and finds Consul back.
        consul.answerChecks(10, checks());

        assertThat(consul.servicesAsked).hasSize(catalogQueries + 1);
        consul.answerServices(10, CATALOG);
        time.runDue();
        assertThat(mirror.view().failures(HTTP)).isEmpty();
    }

    @Test
    void aServiceNoBindingSelectsAnyMoreIsForgotten() {
        mirror.want(List.of());
        time.runDue();

        assertThat(mirror.view().services()).isEmpty();
        assertThat(mirror.view().snapshot(HTTP, Map.of())).isEmpty();
    }

    private void nextPolls() {
        time.advance(Duration.ofMillis(20));
    }

    private HealthChecks checks() {
        return new HealthChecks(checks);
    }

    private static Map<String, List<String>> with(String name, List<String> tags) {
        var catalog = new java.util.TreeMap<>(CATALOG);
        catalog.put(name, tags);
        return catalog;
    }

    private CatalogSnapshot snapshot() {
        return mirror.view().snapshot(HTTP, Map.of()).orElseThrow();
    }

    private List<String> servers(String service) {
        return snapshot().instances().get(service).stream().map(i -> i.serviceId() + "@" + i.address()).toList();
    }

    private static Check check(String serviceId, String service, HealthStatus status) {
        return new Check("n1", "service:" + serviceId, serviceId, service, status);
    }

    private static ServiceInstance instance(String id, String address) {
        return new ServiceInstance(id, "n1", address, 80, List.of(), PASSING);
    }
}
