package io.haproxyconsul.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static io.haproxyconsul.operator.reconciler.BindingFixture.server;
import static org.awaitility.Awaitility.await;

import io.haproxyconsul.operator.consul.CatalogSnapshot;
import io.haproxyconsul.operator.consul.ServiceInstance;
import io.haproxyconsul.operator.consul.ServiceInstance.HealthStatus;
import io.haproxyconsul.operator.testenv.BackendServer;
import io.haproxyconsul.operator.testenv.ConsulAgent;
import io.haproxyconsul.operator.testenv.CountingProxy;
import io.haproxyconsul.operator.testenv.FreePorts;
import io.haproxyconsul.operator.testenv.HaproxyProcess;
import io.haproxyconsul.operator.testenv.HttpProbe;
import io.haproxyconsul.operator.testenv.OperatorEnvironment;
import io.haproxyconsul.operator.testenv.RealParts;
import io.haproxyconsul.operator.testenv.RealParts.Part;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The operator, running in this JVM against the real API server, Consul and HAProxy: what a platform team sees
 * when it applies a binding and changes Consul.
 */
@QuarkusTest
@WithTestResource(OperatorEnvironment.class)
class PublishFromConsulIT {

    OperatorEnvironment env;

    @TestHTTPResource("/q/health/ready")
    URI readiness;

    @TestHTTPResource("/q/metrics")
    URI metrics;

    @Test
    void publishesTheSeedBehavioursAndFollowsConsul() throws Exception {
        ConsulAgent consul = env.consul();
        try (var web1 = BackendServer.start("webapp-1"); var web2 = BackendServer.start("webapp-2");
                var api1 = BackendServer.start("api-1"); var db1 = BackendServer.start("db-1")) {
            consul.registerService("webapp", "webapp-1", List.of("http", "stateful"), "127.0.0.1", web1.port());
            consul.registerService("webapp", "webapp-2", List.of("http", "stateful"), "127.0.0.1", web2.port());
            consul.registerService("api", "api-1", List.of("http"), "127.0.0.1", api1.port());
            consul.registerService("db", "db-1", List.of("tcp"), "127.0.0.1", db1.port());
            int port = FreePorts.next();
            var edge = new BindingFixture(env.controlPlane(), "edge");
            edge.apply("""
                      consul:
                        address: %s
                      services:
                        include: ["webapp", "api", "db", "search"]
                      routing:
                        domain: example.test
                        port: %d
                      rollout:
                        debounce: {min: 100ms, max: 500ms}
                    """.formatted(consul.httpAddress(), port));
            edge.awaitReady();

            // Other bindings of this run read the same Consul: the mirror they share may answer this new binding
            // first from a catalog list that predates the registrations above, then follow them.
            String config = edge.awaitConfig("webapp and api published", text -> text.contains("backend be_webapp")
                    && text.contains("backend be_api"));
            assertThat(config).doesNotContain("be_db");
            try (var haproxy = HaproxyProcess.start(RealParts.require(Part.HAPROXY), config, port)) {
                assertThat(identities(port, "webapp.example.test", "/")).containsExactlyInAnyOrder("webapp-1",
                        "webapp-2");
                var stripped = HttpProbe.get(port, "edge.example.test", "/webapp/orders/7");
                assertThat(stripped.body()).contains("path=/orders/7");
                assertThat(HttpProbe.get(port, "api.example.test", "/").body()).contains("identity=api-1");
                assertThat(HttpProbe.get(port, "edge.example.test", "/api/v1").body())
                        .contains("identity=api-1", "path=/v1");
                assertThat(HttpProbe.get(port, "db.example.test", "/").status()).isEqualTo(503);
                assertThat(HttpProbe.get(port, "edge.example.test", "/db/").status()).isEqualTo(503);

                var first = HttpProbe.get(port, "webapp.example.test", "/");
                String cookie = first.header("set-cookie").orElseThrow().split(";")[0];
                assertThat(cookie).startsWith("JSESSIONID=");
                String sticky = identity(first.body());
                for (int i = 0; i < 6; i++) {
                    assertThat(identity(HttpProbe.get(port, "webapp.example.test", "/", cookie)
                            .body())).isEqualTo(sticky);
                }
            }

            assertThat(env.controlPlane().kubectl("get", "hcb", "-n", edge.namespace).assertSuccess().output())
                    .contains("example.test", "True", "Published", edge.binding().getStatus().currentConfig.hash);

            consul.deregister("webapp-2");
            edge.awaitConfig("webapp-2 leaves the config", text -> !text.contains(server("webapp-2")));
            consul.failCheck("api-1");
            edge.awaitConfig("the failing api-1 leaves the config", text -> !text.contains(server("api-1")));
            try (var search = BackendServer.start("search-1")) {
                consul.registerService("search", "search-1", List.of("http"), "127.0.0.1", search.port());
                String withSearch = edge.awaitConfig("search joins the config",
                        text -> text.contains(server("search-1", "127.0.0.1:" + search.port())));
                assertThat(withSearch).contains(server("webapp-1"), "backend be_api").doesNotContain(server("api-1"));
            }
        }
    }

    @Test
    void kvValuesShapeTheConfigAndABreakingOneKeepsTheLastGoodConfig() throws Exception {
        ConsulAgent consul = env.consul();
        var kv = new BindingFixture(env.controlPlane(), "kv");
        consul.registerService("kvapp", "kvapp-1", List.of("http"), "127.0.0.1", FreePorts.next());
        kv.apply("""
                  consul:
                    address: %s
                  services:
                    include: ["kvapp"]
                  routing:
                    domain: kv.test
                  kv:
                    prefix: kv-test/haproxy
                  rollout:
                    debounce: {min: 100ms, max: 500ms}
                """.formatted(consul.httpAddress()));
        kv.awaitReady();

        consul.kvPut("kv-test/haproxy/maxconn", "1234");
        consul.kvPut("kv-test/haproxy/global", "tune.bufsize 32768");
        String good = kv.awaitConfig("maxconn and the global snippet from KV",
                text -> text.contains("maxconn 1234") && text.contains("tune.bufsize 32768"));
        var goodStatus = kv.binding().getStatus();
        int published = kv.publishedConfigMaps().size();

        consul.kvPut("kv-test/haproxy/global", "no-such-directive on");
        await("ConfigValid=False").atMost(BindingFixture.PUBLISH).untilAsserted(() -> assertThat(
                kv.condition("ConfigValid")).hasValueSatisfying(condition -> {
                    assertThat(condition.getStatus()).isEqualTo("False");
                    assertThat(condition.getReason()).isEqualTo("ValidationFailed");
                    assertThat(condition.getMessage()).contains("no-such-directive");
                }));
        var failed = kv.binding().getStatus();
        assertThat(failed.lastValidationError).contains("haproxy.cfg:", "unknown keyword 'no-such-directive'");
        assertThat(failed.currentConfig.hash).isEqualTo(goodStatus.currentConfig.hash);
        assertThat(kv.currentConfig()).isEqualTo(good);
        assertThat(kv.publishedConfigMaps()).hasSize(published);
        assertThat(kv.condition("Ready")).hasValueSatisfying(c -> assertThat(c.getStatus()).isEqualTo("False"));
        await("the Warning Event").atMost(BindingFixture.PUBLISH).untilAsserted(() -> assertThat(
                kv.warningEvents()).anySatisfy(event -> {
                    assertThat(event.getReason()).isEqualTo("ValidationFailed");
                    assertThat(event.getMessage()).contains("no-such-directive");
                }));

        assertThat(get(metrics)).contains("hco_configs_published_total", "hco_validation_failures_total{where=\"operator\"}",
                "hco_render_seconds_count", "hco_validation_seconds_count", "hco_consul_query_seconds_count");

        consul.kvDelete("kv-test/haproxy/global");
        kv.awaitReady();
        assertThat(kv.currentConfig()).contains("maxconn 1234").doesNotContain("tune.bufsize", "no-such-directive");
        assertThat(kv.binding().getStatus().lastValidationError).isNull();
    }

    @Test
    void hostileConsulValuesNeverReachTheConfig() {
        ConsulAgent consul = env.consul();
        var hostile = new BindingFixture(env.controlPlane(), "hostile");
        int port = FreePorts.next();
        consul.registerService("calm", "calm-1", List.of("http", "stateful", "tag\nbackend evil # x"), "127.0.0.1",
                port);
        consul.registerService("calm", "calm-2", List.of("http"), "127.0.0.1 backup\nserver evil 127.0.0.9:80", port);
        consul.registerService("calm", "calm 3 # x", List.of("http"), "127.0.0.1", port);
        consul.registerService("odd#name", "odd-1", List.of("http"), "127.0.0.1", port);
        consul.kvPut("hostile/haproxy/maxconn", "100\n    bind :81");
        consul.kvPut("hostile/haproxy/logger/server", "127.0.0.1:514 # and more");
        consul.kvPut("hostile/haproxy/global", "nbthread 1\nfrontend injected\n    bind :82");
        consul.kvPut("hostile/haproxy/defaults", "x".repeat(10_240));
        consul.kvPut("hostile-svc/calm/domain", "calm.example.test\nacl evil always_true");
        consul.kvPut("hostile-svc/calm/serverCookie", "SID; Path=/");
        hostile.apply("""
                  consul:
                    address: %s
                  services:
                    include: ["calm", "odd.*"]
                  routing:
                    domain: hostile.test
                  kv:
                    prefix: hostile/haproxy
                    servicePrefix: hostile-svc
                  rollout:
                    debounce: {min: 100ms, max: 500ms}
                """.formatted(consul.httpAddress()));
        hostile.awaitReady();

        String config = hostile.awaitConfig("calm published", text -> text.contains("backend be_calm"));
        assertThat(config).contains(server("calm-1", "127.0.0.1:" + port), "maxconn 4096", "cookie JSESSIONID prefix")
                .doesNotContain("evil", "injected", "bind :81", "bind :82", "xxxxxxxxxx", "odd#name", "# and more",
                        "calm 3", "SID;");
        assertThat(config.lines()).noneMatch(line -> line.startsWith("frontend injected"));
        assertThat(config.lines().filter(line -> line.startsWith("frontend ") || line.startsWith("backend ")
                || line.startsWith("listen ") || line.startsWith("global") || line.startsWith("defaults")))
                .containsExactly("global", "defaults", "frontend http", "backend be_calm");
        assertThat(hostile.binding().getStatus().rejectedValues).anyMatch(r -> r.contains("maxconn"))
                .anyMatch(r -> r.contains("calm-2")).anyMatch(r -> r.contains("odd#name"))
                .anyMatch(r -> r.contains("hostile-svc/calm/domain"));
        assertThat(HaproxyProcess.check(RealParts.require(Part.HAPROXY), config).exitCode()).isZero();
    }

    @Test
    void anUnchangedCatalogPublishesNothingAndABurstPublishesAtMostTwice() {
        // A Consul of its own: a mirror other bindings share could answer this one first from a catalog list that
        // predates the registration below, which is one publication more than this test counts.
        try (var consul = ConsulAgent.start(RealParts.require(Part.CONSUL))) {
            publishesOnlyWhatChanges(consul);
        }
    }

    private void publishesOnlyWhatChanges(ConsulAgent consul) {
        var burst = new BindingFixture(env.controlPlane(), "burst");
        consul.registerService("burstapp", "burstapp-1", List.of("http"), "127.0.0.1", FreePorts.next());
        burst.apply("""
                  consul:
                    address: %s
                  services:
                    include: ["burstapp"]
                  routing:
                    domain: burst.test
                  kv:
                    prefix: burst/haproxy
                  rollout:
                    debounce: {min: 1s, max: 4s}
                    historyLimit: 10
                """.formatted(consul.httpAddress()));
        burst.awaitReady();
        String first = burst.currentConfig();
        var firstHash = burst.binding().getStatus().currentConfig.hash;

        // A spec change that does not touch the output (history) makes the operator render the same catalog again.
        env.controlPlane().kubectl("patch", "-n", burst.namespace, "hcb/burst", "--type=merge", "-p",
                "{\"spec\":{\"rollout\":{\"historyLimit\":9}}}").assertSuccess();
        await("the patched binding is reconciled").atMost(BindingFixture.PUBLISH).until(() -> {
            var binding = burst.binding();
            return binding.getMetadata().getGeneration().equals(binding.getStatus().observedGeneration);
        });
        assertThat(burst.currentConfig()).isEqualTo(first);
        assertThat(burst.publishedConfigMaps()).hasSize(1);

        for (int i = 0; i < 100; i++) {
            consul.kvPut("burst/haproxy/maxconn", String.valueOf(2000 + i));
        }
        burst.awaitConfig("the last value of the burst", text -> text.contains("maxconn 2099"));
        Set<String> hashes = new HashSet<>();
        burst.publishedConfigMaps().forEach(cm -> hashes.add(cm.getMetadata().getName()));
        assertThat(hashes).hasSizeBetween(2, 3).anyMatch(name -> name.endsWith(firstHash));
    }

    @Test
    void configurationsBeyondTheHistoryLimitAreDeletedNeverTheCurrentOne() {
        ConsulAgent consul = env.consul();
        var history = new BindingFixture(env.controlPlane(), "history");
        consul.registerService("historyapp", "historyapp-1", List.of("http"), "127.0.0.1", FreePorts.next());
        history.apply("""
                  consul:
                    address: %s
                  services:
                    include: ["historyapp"]
                  routing:
                    domain: history.test
                  kv:
                    prefix: history/haproxy
                  rollout:
                    debounce: {min: 0s, max: 0s}
                    historyLimit: 2
                """.formatted(consul.httpAddress()));
        history.awaitReady();
        for (int i = 1; i <= 4; i++) {
            consul.kvPut("history/haproxy/maxconn", String.valueOf(3000 + i));
            int value = 3000 + i;
            history.awaitConfig("maxconn " + value, text -> text.contains("maxconn " + value));
        }
        String current = history.binding().getStatus().currentConfig.configMapName;
        await("two configurations left").atMost(BindingFixture.PUBLISH).untilAsserted(() -> assertThat(
                history.publishedConfigMaps()).hasSize(2).anyMatch(cm -> cm.getMetadata().getName().equals(current)));
    }

    @Test
    void hundredsOfServicesAreFollowedOverABoundedNumberOfConnections() throws Exception {
        ConsulAgent consul = env.consul();
        int services = 300; // more than the agent's default of 200 connections per client
        for (int i = 0; i < services; i++) {
            consul.registerService("many-" + i, "many-" + i + "-a", List.of("http"), "127.0.0.1", 20000 + i);
        }
        try (var proxy = new CountingProxy(URI.create(consul.httpAddress()).getPort())) {
            var many = new BindingFixture(env.controlPlane(), "many");
            many.apply("""
                      consul:
                        address: http://127.0.0.1:%d
                      services:
                        include: ["many-[0-9]+"]
                      routing:
                        domain: many.test
                      rollout:
                        debounce: {min: 0s, max: 0s}
                    """.formatted(proxy.port()));
            many.awaitReady();
            assertThat(many.currentConfig().split("\n")).filteredOn(line -> line.startsWith("backend be_many-"))
                    .hasSize(services);

            consul.failCheck("many-7-a");
            many.awaitConfig("a failing check, with no read of the instances", t -> !t.contains(server("many-7-a")));
            consul.passCheck("many-7-a");
            many.awaitConfig("a passing check again", t -> t.contains(server("many-7-a", "127.0.0.1:20007")));
            consul.registerUncheckedService("many-8", "many-8-b", "127.0.0.1", 30008);
            many.awaitConfig("an instance without checks", t -> t.contains(server("many-8-b", "127.0.0.1:30008")));
            consul.registerService("many-9", "many-9-a", List.of("http"), "127.0.0.1", 30009);
            many.awaitConfig("a new port with the same check", t -> t.contains(server("many-9-a", "127.0.0.1:30009")));
            consul.deregister("many-8-b");
            many.awaitConfig("the instance without checks leaves", t -> !t.contains(server("many-8-b")));
            consul.registerService("many-new", "many-new-a", List.of("http"), "127.0.0.1", 30010);
            many.awaitConfig("a service the pattern does not select", t -> !t.contains("many-new"));
            consul.registerService("many-300", "many-300-a", List.of("http"), "127.0.0.1", 30011);
            many.awaitConfig("a new selected service", t -> t.contains(server("many-300-a", "127.0.0.1:30011")));

            assertThat(proxy.maxOpenConnections()).isBetween(2, 64);
        }
    }

    @Test
    void aNodesNewAddressReachesTheConfigThoughNoConsulIndexShowsIt() {
        ConsulAgent consul = env.consul();
        // No address of its own: the instance is reached at its node's address.
        consul.registerInCatalog(CatalogSnapshot.of(Map.of("nodeaddr", List.of("http")), Map.of("nodeaddr", List.of(
                new ServiceInstance("nodeaddr-1", "ext-node", "", 31500, List.of("http"), HealthStatus.PASSING))),
                Map.of()));
        consul.setNodeAddress("ext-node", "127.0.0.1");
        var moved = new BindingFixture(env.controlPlane(), "moved");
        moved.apply("""
                  consul:
                    address: %s
                  services:
                    include: ["nodeaddr"]
                  routing:
                    domain: moved.test
                  rollout:
                    debounce: {min: 0s, max: 0s}
                """.formatted(consul.httpAddress()));
        moved.awaitReady();
        moved.awaitConfig("nodeaddr published", text -> text.contains(server("nodeaddr-1", "127.0.0.1:31500")));

        consul.setNodeAddress("ext-node", "127.0.0.2");
        moved.awaitConfig("the node's new address", text -> text.contains(server("nodeaddr-1", "127.0.0.2:31500")));
    }

    @Test
    void aConsulWithAclsIsReadWithTheTokenOfTheSecretAndARefusedTokenIsReported() {
        try (var secured = ConsulAgent.startWithAcls(RealParts.require(Part.CONSUL))) {
            secured.registerService("secureapp", "secureapp-1", List.of("http"), "127.0.0.1", 31001);
            String reader = secured.createToken("""
                    service_prefix "" { policy = "read" }
                    node_prefix "" { policy = "read" }
                    key_prefix "secure/" { policy = "read" }
                    """);
            var acl = new BindingFixture(env.controlPlane(), "acl");
            secret(acl, "consul-token", reader);
            acl.apply(aclSpec(secured));
            acl.awaitReady();
            assertThat(acl.currentConfig()).contains(server("secureapp-1", "127.0.0.1:31001"));
            secured.failCheck("secureapp-1");
            acl.awaitConfig("a failing check, read with the token", text -> !text.contains(server("secureapp-1")));
            secured.kvPut("secure/haproxy/maxconn", "1111");
            acl.awaitConfig("a KV value, read with the token", text -> text.contains("maxconn 1111"));

            var refused = new BindingFixture(env.controlPlane(), "refused");
            secret(refused, "consul-token", java.util.UUID.randomUUID().toString());
            refused.apply(aclSpec(secured));
            await("ConsulSynced=False naming Consul's refusal").atMost(BindingFixture.PUBLISH).untilAsserted(() ->
                    assertThat(refused.condition("ConsulSynced")).hasValueSatisfying(condition -> {
                        assertThat(condition.getReason()).isEqualTo("ConsulUnreachable");
                        assertThat(condition.getMessage()).containsIgnoringCase("ACL not found");
                    }));
            assertThat(refused.binding().getStatus().currentConfig).isNull();
        }
    }

    private void secret(BindingFixture fixture, String name, String token) {
        env.controlPlane().kubectl("create", "secret", "generic", name, "-n", fixture.namespace,
                "--from-literal=token=" + token).assertSuccess();
    }

    private static String aclSpec(ConsulAgent consul) {
        return """
                  consul:
                    address: %s
                    tokenSecretRef: {name: consul-token, key: token}
                  services:
                    include: ["secureapp"]
                  routing:
                    domain: acl.test
                  kv:
                    prefix: secure/haproxy
                  rollout:
                    debounce: {min: 0s, max: 0s}
                    # One instance: its failing check removes every server, which the removal guard would hold.
                    removalGuard: {maxRemovalPercent: 100}
                """.formatted(consul.httpAddress());
    }

    @Test
    void anUnreachableConsulIsReportedWithoutMakingTheOperatorUnready() throws Exception {
        var away = new BindingFixture(env.controlPlane(), "away");
        away.apply("""
                  consul:
                    address: http://127.0.0.1:%d
                  routing:
                    domain: away.test
                """.formatted(FreePorts.next()));

        await("ConsulSynced=False").atMost(BindingFixture.PUBLISH).untilAsserted(() -> assertThat(
                away.condition("ConsulSynced")).hasValueSatisfying(condition -> {
                    assertThat(condition.getStatus()).isEqualTo("False");
                    assertThat(condition.getReason()).isEqualTo("ConsulUnreachable");
                }));
        assertThat(away.condition("Ready")).hasValueSatisfying(c -> assertThat(c.getStatus()).isEqualTo("False"));
        // Awaited, not read once: the Operator SDK's own check drops for a moment while an informer re-opens a watch
        // the API server closed (seen once in CI as "unhealthy: service"). An unreachable Consul would keep it DOWN.
        await("readiness UP while Consul is unreachable").atMost(BindingFixture.PUBLISH).untilAsserted(() ->
                assertThat(get(readiness)).contains("\"status\": \"UP\"", away.namespace + "/away"));
    }

    private static String get(URI uri) throws Exception {
        var response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(), BodyHandlers.ofString());
        assertThat(response.statusCode()).as(uri + ": " + response.body()).isEqualTo(200);
        return response.body();
    }

    private static Set<String> identities(int port, String host, String path) throws Exception {
        var seen = new HashSet<String>();
        for (int i = 0; i < 8; i++) {
            seen.add(identity(HttpProbe.get(port, host, path).body()));
        }
        return seen;
    }

    private static String identity(String body) {
        return body.replaceAll("(?s).*identity=(\\S+).*", "$1");
    }
}
