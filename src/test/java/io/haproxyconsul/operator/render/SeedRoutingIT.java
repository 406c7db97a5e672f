package io.haproxyconsul.operator.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBindingSpec;
import io.haproxyconsul.operator.api.v1alpha1.RoutingSpec;
import io.haproxyconsul.operator.api.v1alpha1.RoutingSpec.HostMatch;
import io.haproxyconsul.operator.consul.ConsulEndpoint;
import io.haproxyconsul.operator.consul.ConsulSnapshotReader;
import io.haproxyconsul.operator.consul.ServiceSelector;
import io.haproxyconsul.operator.model.RoutingModelBuilder;
import io.haproxyconsul.operator.testenv.BackendServer;
import io.haproxyconsul.operator.testenv.ConsulAgent;
import io.haproxyconsul.operator.testenv.FreePorts;
import io.haproxyconsul.operator.testenv.HaproxyProcess;
import io.haproxyconsul.operator.testenv.HttpProbe;
import io.haproxyconsul.operator.testenv.RealParts;
import io.haproxyconsul.operator.testenv.RealParts.Part;
import io.vertx.core.Vertx;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Where routing differs from the seed image, as the README's seed table says: services registered in a real Consul,
 * read as a binding reads them, drawn by the default template and served by a real HAProxy to real backends.
 * Each test publishes its own services (under a KV prefix of its own) from the one Consul.
 */
class SeedRoutingIT {

    private static final String DOMAIN = "seed.test";

    private static Path haproxy;
    private static ConsulAgent consul;
    private static Vertx vertx;

    @BeforeAll
    static void startConsul() {
        haproxy = RealParts.require(Part.HAPROXY);
        consul = ConsulAgent.start(RealParts.require(Part.CONSUL));
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopConsul() {
        if (vertx != null) {
            vertx.close();
        }
        if (consul != null) {
            consul.close();
        }
    }

    @Test
    void anExtraHostKeepsThePathAsSentAndPathsMatchCaseSensitively() {
        try (var xhost = BackendServer.start("xhost-1")) {
            consul.registerService("xhost", "xhost-1", List.of("http"), "127.0.0.1", xhost.port());
            consul.kvPut("xhost-svc/xhost/domain", "www.xhost.example");
            var spec = spec("xhost", "xhost-svc");

            try (var proxy = serve(spec)) {
                assertThat(get(spec, "www.xhost.example", "/xhost/orders")).as("the extra host")
                        .contains("identity=xhost-1", "path=/xhost/orders");
                assertThat(get(spec, "xhost." + DOMAIN, "/xhost/orders")).as("<service>.<domain>")
                        .contains("identity=xhost-1", "path=/xhost/orders");
                assertThat(get(spec, DOMAIN, "/xhost/orders")).as("<domain>/<service>/")
                        .contains("identity=xhost-1", "path=/orders");
                assertThat(status(spec, DOMAIN, "/XHOST/orders")).as("paths match case-sensitively")
                        .isEqualTo(503);
            }
        }
    }

    @Test
    void exactHostMatchingRoutesTheHostAloneNeverItsSubdomainsOrLookAlikes() {
        try (var exact = BackendServer.start("exact-1")) {
            consul.registerService("exact", "exact-1", List.of("http"), "127.0.0.1", exact.port());
            var spec = spec("exact", "exact-svc");

            try (var proxy = serve(spec)) {
                assertThat(get(spec, "exact." + DOMAIN, "/")).contains("identity=exact-1", "path=/ ");
                assertThat(get(spec, "EXACT." + DOMAIN + ":8080", "/")).as("case and port")
                        .contains("identity=exact-1");
                assertThat(status(spec, "www.exact." + DOMAIN, "/")).as("a sub-domain").isEqualTo(503);
                assertThat(status(spec, "exact." + DOMAIN + ".evil.example", "/")).as("a look-alike")
                        .isEqualTo(503);
            }
        }
    }

    @Test
    void subdomainHostMatchingRoutesTheMostSpecificNameButNeverALookAlike() {
        try (var sub = BackendServer.start("sub-1"); var api = BackendServer.start("subapi-1")) {
            consul.registerService("sub", "sub-1", List.of("http"), "127.0.0.1", sub.port());
            consul.registerService("subapi", "subapi-1", List.of("http"), "127.0.0.1", api.port());
            consul.kvPut("sub-svc/sub/domain", "sub.example.org");
            consul.kvPut("sub-svc/subapi/domain", "api.sub." + DOMAIN);
            var spec = spec("sub(api)?", "sub-svc");
            spec.routing.hostMatch = HostMatch.Subdomains;

            try (var proxy = serve(spec)) {
                assertThat(get(spec, "www.sub." + DOMAIN, "/sub/cart")).as("a sub-domain keeps its path")
                        .contains("identity=sub-1 ", "path=/sub/cart");
                assertThat(get(spec, "a.b.sub." + DOMAIN, "/")).contains("identity=sub-1 ");
                assertThat(get(spec, "www.sub.example.org", "/")).as("under the extra host")
                        .contains("identity=sub-1 ");
                assertThat(get(spec, "api.sub." + DOMAIN, "/")).contains("identity=subapi-1 ");
                assertThat(get(spec, "x.api.sub." + DOMAIN, "/")).as("the longest name wins")
                        .contains("identity=subapi-1 ");
                assertThat(status(spec, "sub." + DOMAIN + ".evil.example", "/")).as("a look-alike").isEqualTo(503);
                assertThat(status(spec, "xsub." + DOMAIN, "/")).as("not at a dot").isEqualTo(503);
            }
        }
    }

    @Test
    void serversAreCheckedWithTheSeedsOptionsUnlessTheServiceAsksForItsOwnCheck() {
        try (var plain = BackendServer.start("chk-1"); var own = BackendServer.start("chkown-1");
                var pathOnly = BackendServer.start("chkpath-1")) {
            consul.registerService("chk", "chk-1", List.of("http"), "127.0.0.1", plain.port());
            consul.registerService("chkown", "chkown-1", List.of("http"), "127.0.0.1", own.port());
            consul.registerService("chkpath", "chkpath-1", List.of("http"), "127.0.0.1", pathOnly.port());
            consul.kvPut("chk-svc/chkown/healthCheck", "GET /healthz");
            consul.kvPut("chk-svc/chkpath/healthCheck", "/status?deep=1");
            var spec = spec("chk.*", "chk-svc");

            try (var proxy = serve(spec)) {
                await("HAProxy's health checks reach every server").atMost(Duration.ofSeconds(30)).untilAsserted(
                        () -> {
                            assertThat(plain.requests()).contains("OPTIONS /");
                            assertThat(own.requests()).contains("GET /healthz");
                            assertThat(pathOnly.requests()).contains("OPTIONS /status?deep=1");
                        });
                assertThat(get(spec, "chkown." + DOMAIN, "/")).contains("identity=chkown-1");
            }
        }
    }

    @Test
    void aDottedServiceNameIsRoutedByHostAndByPath() {
        try (var dot = BackendServer.start("dot-1"); var v2 = BackendServer.start("dot.v2-1")) {
            consul.registerService("dot", "dot-1", List.of("http"), "127.0.0.1", dot.port());
            consul.registerService("dot.v2", "dot.v2-1", List.of("http"), "127.0.0.1", v2.port());
            var spec = spec("dot(\\.v2)?", "dot-svc");

            try (var proxy = serve(spec)) {
                assertThat(get(spec, "dot.v2." + DOMAIN, "/a")).contains("identity=dot.v2-1 ", "path=/a ");
                assertThat(get(spec, "dot." + DOMAIN, "/a")).contains("identity=dot-1 ", "path=/a ");
                assertThat(get(spec, DOMAIN, "/dot.v2/a")).contains("identity=dot.v2-1 ", "path=/a ");
                assertThat(get(spec, DOMAIN, "/dot.v2")).contains("identity=dot.v2-1 ", "path=/ ");
                assertThat(get(spec, DOMAIN, "/dot/a")).contains("identity=dot-1 ", "path=/a ");
                assertThat(status(spec, DOMAIN, "/dotXv2/a")).as("a dot in the name is no wildcard").isEqualTo(503);
            }
        }
    }

    /** Publishes the services whose names match {@code include}, their KV under {@code servicePrefix}. */
    private static HaproxyConsulBindingSpec spec(String include, String servicePrefix) {
        var spec = new HaproxyConsulBindingSpec();
        spec.services.include = List.of(include);
        spec.routing = new RoutingSpec();
        spec.routing.domain = DOMAIN;
        spec.routing.port = FreePorts.next();
        spec.kv.prefix = servicePrefix + "/haproxy";
        spec.kv.servicePrefix = servicePrefix;
        return spec;
    }

    /** What the operator would publish for {@code spec} now, run by a real HAProxy. */
    private static HaproxyProcess serve(HaproxyConsulBindingSpec spec) {
        var snapshot = ConsulSnapshotReader.read(vertx, new ConsulEndpoint(URI.create(consul.httpAddress()), null,
                null, null, false), ServiceSelector.from(spec.services), List.of(spec.kv.prefix, spec.kv.servicePrefix),
                Duration.ofSeconds(30));
        var model = RoutingModelBuilder.build(spec, snapshot);
        assertThat(model.rejections()).isEmpty();
        String config = ConfigRenderer.standalone().renderDefault(model).text();
        return HaproxyProcess.start(haproxy, config, spec.routing.port);
    }

    private static String get(HaproxyConsulBindingSpec spec, String host, String path) {
        var reply = HttpProbe.get(spec.routing.port, host, path);
        assertThat(reply.status()).as(host + path + ": " + reply.body()).isEqualTo(200);
        return reply.body();
    }

    private static int status(HaproxyConsulBindingSpec spec, String host, String path) {
        return HttpProbe.get(spec.routing.port, host, path).status();
    }
}
