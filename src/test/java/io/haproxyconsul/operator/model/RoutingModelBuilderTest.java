package io.haproxyconsul.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBindingSpec;
import io.haproxyconsul.operator.api.v1alpha1.HealthCheckSpec;
import io.haproxyconsul.operator.api.v1alpha1.RoutingSpec;
import io.haproxyconsul.operator.consul.CatalogSnapshot;
import io.haproxyconsul.operator.consul.ServiceInstance;
import io.haproxyconsul.operator.consul.ServiceInstance.HealthStatus;
import io.haproxyconsul.operator.render.ConfigRenderer;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class RoutingModelBuilderTest {

    private static final String TEN_KB = "x".repeat(10 * 1024);

    @Test
    void statefulServiceIsStickyByJsessionidUnlessKvNamesTheCookie() {
        var model = build(Map.of("webapp", List.of("http", "stateful"), "api", List.of("http")),
                Map.of("webapp", List.of(instance("w1", "10.0.0.1", 80)), "api", List.of(instance("a1", "10.0.0.2", 80))),
                Map.of());
        assertThat(backend(model, "webapp").stickyCookie()).isEqualTo("JSESSIONID");
        assertThat(backend(model, "api").stickyCookie()).isNull();

        var named = build(Map.of("webapp", List.of("http", "stateful")), Map.of("webapp", List.of(instance("w1",
                "10.0.0.1", 80))), Map.of("service/webapp/serverCookie", "SESSION"));
        assertThat(backend(named, "webapp").stickyCookie()).isEqualTo("SESSION");
    }

    @Test
    void criticalInstancesNeverServeAndWarningOnesOnlyWhenAllowed() {
        var instances = Map.of("api", List.of(instance("a1", "10.0.0.1", 80),
                new ServiceInstance("a2", "n", "10.0.0.2", 80, List.of(), HealthStatus.WARNING),
                new ServiceInstance("a3", "n", "10.0.0.3", 80, List.of(), HealthStatus.CRITICAL)));
        var strict = build(Map.of("api", List.of("http")), instances, Map.of());
        assertThat(backend(strict, "api").servers()).extracting(RoutingModel.Server::instance).containsExactly("a1");

        var spec = spec();
        spec.services.onlyPassing = false;
        var lenient = RoutingModelBuilder.build(spec, CatalogSnapshot.of(Map.of("api", List.of("http")), instances,
                Map.of()));
        assertThat(backend(lenient, "api").servers()).extracting(RoutingModel.Server::instance)
                .containsExactly("a1", "a2");
    }

    @Test
    void instancesFillNumberedSlotsInTheOrderOfTheirIdsWithRoomForAQuarterMore() {
        var instances = new java.util.ArrayList<ServiceInstance>();
        for (int i = 9; i >= 0; i--) {
            instances.add(instance("web-" + i, "10.0.0." + (i + 1), 8080));
        }
        var web = backend(build(Map.of("web", List.of("http")), Map.of("web", instances), Map.of()), "web");

        assertThat(web.servers()).extracting(RoutingModel.Server::name).containsExactly("srv1", "srv2", "srv3",
                "srv4", "srv5", "srv6", "srv7", "srv8", "srv9", "srv10");
        assertThat(web.servers().get(0).instance()).isEqualTo("web-0");
        assertThat(web.spareSlots()).containsExactly("srv11", "srv12", "srv13");
        assertThat(RoutingModelBuilder.spareSlots(0)).containsExactly("srv1", "srv2");
        assertThat(RoutingModelBuilder.spareSlots(1)).containsExactly("srv2", "srv3");
    }

    @Test
    void hostileServiceNameIsLeftOutAndReported() {
        var model = build(Map.of("bad\nname", List.of("http"), "with space", List.of("http"), "hash#tag",
                List.of("http")), Map.of("bad\nname", List.of(instance("x", "10.0.0.1", 80)), "with space",
                        List.of(instance("y", "10.0.0.1", 80)), "hash#tag", List.of(instance("z", "10.0.0.1", 80))),
                Map.of());
        assertThat(model.backends()).isEmpty();
        assertThat(model.rejections()).hasSize(3).allSatisfy(r -> assertThat(r.reason()).startsWith("name is not"));
    }

    @Test
    void aServiceConsulGaveNothingForIsReportedWithItsReason() {
        var snapshot = new CatalogSnapshot(new TreeMap<>(Map.of("api", List.of("http"))),
                new TreeMap<>(Map.of("api", List.of(instance("a1", "10.0.0.1", 80)))), new TreeMap<>(),
                new TreeMap<>(Map.of("bad\nname", "Consul cannot be asked about it")));

        var model = RoutingModelBuilder.build(spec(), snapshot);

        assertThat(model.backends()).extracting(RoutingModel.Backend::service).containsExactly("api");
        assertThat(model.rejections()).singleElement().satisfies(r -> {
            assertThat(r.source()).isEqualTo("service bad\\x0aname");
            assertThat(r.reason()).startsWith("Consul cannot be asked about it");
        });
    }

    @Test
    void hostileAddressPortAndServiceIdNeverBecomeServerText() {
        var model = build(Map.of("api", List.of("http")), Map.of("api", List.of(
                instance("ok", "10.0.0.1", 80),
                instance("evil-address", "10.0.0.2\n    server evil 6.6.6.6:80", 80),
                instance("spaced", "10.0.0.3 backup", 80),
                instance("bad-port", "10.0.0.4", 70000),
                instance("id with\nnewline#", "10.0.0.5", 80))), Map.of());
        var servers = backend(model, "api").servers();
        assertThat(servers).extracting(RoutingModel.Server::address).containsExactlyInAnyOrder("10.0.0.1", "10.0.0.5");
        assertThat(servers).extracting(RoutingModel.Server::instance)
                .allMatch(name -> name.matches("[A-Za-z0-9_.:-]+"));
        assertThat(model.rejections()).hasSize(3);
    }

    @Test
    void hostileKvValuesFallBackToDefaultsAndAreReported() {
        var model = build(Map.of(), Map.of(), Map.of(
                "service/haproxy/maxconn", "100\n    bogus-directive",
                "service/haproxy/logger/server", "127.0.0.1:514 # comment",
                "service/haproxy/logger/level", "info\nbackend evil",
                "service/haproxy/debug", "yes"));
        assertThat(model.globals().maxconn()).isEqualTo(RoutingModelBuilder.DEFAULT_MAXCONN);
        assertThat(model.globals().logTarget()).isEqualTo(RoutingModelBuilder.DEFAULT_LOG_TARGET);
        assertThat(model.globals().logLevel()).isEqualTo("info");
        assertThat(model.rejections()).extracting(RoutingModel.Rejection::source).containsExactlyInAnyOrder(
                "service/haproxy/maxconn", "service/haproxy/logger/server", "service/haproxy/logger/level",
                "service/haproxy/debug");
    }

    @Test
    void globalSnippetStaysInsideItsSection() {
        var kept = build(Map.of(), Map.of(), Map.of("service/haproxy/global", "tune.bufsize 32768\n\n  nbthread 2\n"));
        assertThat(kept.globals().globalLines()).containsExactly("tune.bufsize 32768", "nbthread 2");

        var escaping = build(Map.of(), Map.of(), Map.of("service/haproxy/global", "nbthread 2\nlisten evil\n  bind :1"));
        assertThat(escaping.globals().globalLines()).isEmpty();
        assertThat(escaping.rejections()).singleElement().extracting(RoutingModel.Rejection::reason).asString()
                .contains("would open a new section");

        var huge = build(Map.of(), Map.of(), Map.of("service/haproxy/defaults", TEN_KB));
        assertThat(huge.globals().defaultsLines()).isEmpty();
        assertThat(huge.rejections()).singleElement().extracting(RoutingModel.Rejection::reason).asString()
                .contains("longer than");
    }

    @Test
    void extraHostFromKvMustBeADnsName() {
        var model = build(Map.of("api", List.of("http")), Map.of("api", List.of(instance("a", "10.0.0.1", 80))),
                Map.of("service/api/domain", "api.example.org\n    acl evil always_true"));
        assertThat(backend(model, "api").hosts()).containsExactly("api.example.com");
        assertThat(model.rejections()).singleElement().extracting(RoutingModel.Rejection::source)
                .isEqualTo("service/api/domain");
    }

    @Test
    void hostileInputNeverAddsALineToTheRenderedConfig() {
        var model = build(Map.of("api", List.of("http", "evil\ntag"), "x y", List.of("http")),
                Map.of("api", List.of(instance("a1", "10.0.0.1\nbackend evil", 80), instance("a2", "10.0.0.2", 80)),
                        "x y", List.of(instance("b", "10.0.0.3", 80))),
                Map.of("service/haproxy/maxconn", TEN_KB, "service/api/domain", "# comment",
                        "service/haproxy/logger/level", "debug # evil", "service/api/healthCheck", "GET /\nbackend x"));
        String text = ConfigRenderer.standalone().renderDefault(model).text();
        var clean = ConfigRenderer.standalone().renderDefault(build(Map.of("api", List.of("http")),
                Map.of("api", List.of(instance("a2", "10.0.0.2", 80))), Map.of())).text();
        assertThat(text).isEqualTo(clean);
    }

    @Test
    void theSeedsLoggerAndDebugKeysSetTheLogLine() {
        var model = build(Map.of(), Map.of(), Map.of("service/haproxy/logger/server", "10.0.0.9:514",
                "service/haproxy/logger/level", "notice"));
        assertThat(model.globals().logTarget()).isEqualTo("10.0.0.9:514");
        assertThat(model.globals().logLevel()).isEqualTo("notice");
        assertThat(model.rejections()).isEmpty();

        for (String yes : List.of("true", "True", "TRUE", "t", "1")) {
            var debug = build(Map.of(), Map.of(), Map.of("service/haproxy/logger/level", "notice",
                    "service/haproxy/debug", yes));
            assertThat(debug.globals().logLevel()).as(yes).isEqualTo("debug");
        }
        var off = build(Map.of(), Map.of(), Map.of("service/haproxy/logger/level", "notice",
                "service/haproxy/debug", "False"));
        assertThat(off.globals().logLevel()).isEqualTo("notice");
        assertThat(off.rejections()).isEmpty();
    }

    @Test
    void aKeyNothingReadsUnderThePrefixIsNamedOnceWithWhatToUseInstead() {
        var model = build(Map.of("webapp", List.of("http")), Map.of("webapp", List.of(instance("w1", "10.0.0.1", 80))),
                Map.of("service/haproxy/maxcon", "100",
                        "service/haproxy/syslog/address", "10.0.0.9:514",
                        "service/haproxy/domain", "example.org",
                        "service/haproxy/", "",
                        "service/webapp/domain", "www.example.org",
                        "service/other/serverCookie", "SID",
                        "service/other/unrelated", "x"));
        assertThat(model.rejections()).extracting(RoutingModel.Rejection::source).containsExactly(
                "service/haproxy/domain", "service/haproxy/maxcon", "service/haproxy/syslog/address");
        assertThat(model.rejections()).extracting(RoutingModel.Rejection::reason).containsExactly(
                "not read: the domain is spec.routing.domain",
                "not a key the operator reads (under service/haproxy/ it reads maxconn, logger/server, logger/level,"
                        + " debug, global and defaults)",
                "not read: the syslog address is service/haproxy/logger/server, the seed image's key");
        assertThat(model.globals().logTarget()).isEqualTo(RoutingModelBuilder.DEFAULT_LOG_TARGET);
    }

    @Test
    void perServiceKeysAreNeverUnknownHoweverThePrefixesNest() {
        var services = Map.of("web", List.of("http"));
        var instances = Map.of("web", List.of(instance("w1", "10.0.0.1", 80)));

        var same = spec();
        same.kv.prefix = "lb";
        same.kv.servicePrefix = "lb";
        var sameModel = RoutingModelBuilder.build(same, CatalogSnapshot.of(services, instances, Map.of(
                "lb/maxconn", "100", "lb/web/domain", "www.example.org", "lb/gone/serverCookie", "SID",
                "lb/web/typo", "x")));
        assertThat(sameModel.rejections()).extracting(RoutingModel.Rejection::source).containsExactly("lb/web/typo");

        var inside = spec();
        inside.kv.prefix = "lb";
        inside.kv.servicePrefix = "lb/apps";
        var insideModel = RoutingModelBuilder.build(inside, CatalogSnapshot.of(services, instances, Map.of(
                "lb/maxconn", "100", "lb/apps/web/domain", "www.example.org", "lb/apps/web/owned-by-another-tool",
                "x", "lb/typo", "x")));
        assertThat(insideModel.rejections()).extracting(RoutingModel.Rejection::source).containsExactly("lb/typo");
        assertThat(backend(insideModel, "web").hosts()).containsExactly("web.example.com", "www.example.org");
    }

    @Test
    void theDomainKeyUnderTheDefaultPrefixIsTheExtraHostOfAServiceNamedHaproxy() {
        var model = build(Map.of("haproxy", List.of("http")), Map.of("haproxy", List.of(instance("h1", "10.0.0.1",
                80))), Map.of("service/haproxy/domain", "lb.example.org"));
        assertThat(backend(model, "haproxy").hosts()).containsExactly("haproxy.example.com", "lb.example.org");
        assertThat(model.rejections()).isEmpty();
    }

    @Test
    void aDottedServiceNameIsPublishedByHostAndByPath() {
        var model = build(Map.of("web.v2", List.of("http")), Map.of("web.v2", List.of(instance("w1", "10.0.0.1",
                80))), Map.of());
        var backend = backend(model, "web.v2");
        assertThat(backend.name()).isEqualTo("be_web.v2");
        assertThat(backend.hosts()).containsExactly("web.v2.example.com");
        assertThat(backend.pathPrefix()).isEqualTo("/web.v2");
        assertThat(backend.pathPattern()).isEqualTo("/web[.]v2");
        assertThat(model.rejections()).isEmpty();
    }

    @Test
    void eachLabelOfADottedNameMustBeADnsLabel() {
        var names = List.of("web..v2", ".web", "web.", "web.-v2", "web.v2-", "a".repeat(64) + ".v2");
        var services = names.stream().collect(Collectors.toMap(n -> n, n -> List.of("http")));
        var instances = names.stream().collect(Collectors.toMap(n -> n,
                n -> List.of(instance("x", "10.0.0.1", 80))));
        var model = build(services, instances, Map.of());
        assertThat(model.backends()).isEmpty();
        assertThat(model.rejections()).hasSize(names.size())
                .allSatisfy(r -> assertThat(r.reason()).startsWith("name is not dot-separated labels"));
    }

    @Test
    void aHostNameLongerThanDnsAllowsLeavesTheServiceToPathRouting() {
        String name = String.join(".", Collections.nCopies(4, "a".repeat(60)));
        var model = build(Map.of(name, List.of("http")), Map.of(name, List.of(instance("x", "10.0.0.1", 80))),
                Map.of());
        assertThat(backend(model, name).hosts()).isEmpty();
        assertThat(backend(model, name).pathPrefix()).isEqualTo("/" + name);
        assertThat(model.rejections()).singleElement().extracting(RoutingModel.Rejection::reason).asString()
                .contains("longer than 253 characters");
    }

    @Test
    void exactHostMatchingHasNoSubdomainRules() {
        var model = build(Map.of("web", List.of("http")), Map.of("web", List.of(instance("w1", "10.0.0.1", 80))),
                Map.of("service/web/domain", "www.example.org"));
        assertThat(model.frontend().subdomainRules()).isEmpty();
        assertThat(backend(model, "web").subdomainSuffixes()).isEmpty();
    }

    @Test
    void subdomainMatchingRoutesTheLongestNameFirstAndAnchorsAtADot() {
        var spec = spec();
        spec.routing.hostMatch = RoutingSpec.HostMatch.Subdomains;
        var model = RoutingModelBuilder.build(spec, CatalogSnapshot.of(
                Map.of("web", List.of("http"), "api", List.of("http"), "shop", List.of("http")),
                Map.of("web", List.of(instance("w1", "10.0.0.1", 80)),
                        "api", List.of(instance("a1", "10.0.0.2", 80)),
                        "shop", List.of(instance("s1", "10.0.0.3", 80))),
                Map.of("service/api/domain", "api.web.example.com", "service/shop/domain", "shop.example.org")));
        assertThat(backend(model, "shop").subdomainSuffixes()).containsExactly(".shop.example.com",
                ".shop.example.org");
        assertThat(model.frontend().subdomainRules()).extracting(r -> r.backend() + " " + r.suffix()).containsExactly(
                "be_api .api.web.example.com",
                "be_api .api.example.com",
                "be_shop .shop.example.com",
                "be_shop .shop.example.org",
                "be_web .web.example.com");
    }

    @Test
    void theHealthCheckIsTheSeedsOptionsUnlessTheSpecOrTheServiceSaysOtherwise() {
        var services = Map.of("a", List.of("http"), "b", List.of("http"), "c", List.of("http"));
        var instances = Map.of("a", List.of(instance("a1", "10.0.0.1", 80)), "b",
                List.of(instance("b1", "10.0.0.2", 80)), "c", List.of(instance("c1", "10.0.0.3", 80)));
        var kv = Map.of("service/b/healthCheck", "HEAD /ping?full=1", "service/c/healthCheck", " /status ");

        var seedLike = build(services, instances, kv);
        assertThat(backend(seedLike, "a").healthCheck()).isEqualTo(new RoutingModel.HealthCheck("OPTIONS", "/"));
        assertThat(backend(seedLike, "b").healthCheck()).isEqualTo(new RoutingModel.HealthCheck("HEAD",
                "/ping?full=1"));
        assertThat(backend(seedLike, "c").healthCheck()).isEqualTo(new RoutingModel.HealthCheck("OPTIONS",
                "/status"));

        var spec = spec();
        spec.routing.healthCheck.method = HealthCheckSpec.Method.GET;
        spec.routing.healthCheck.path = "/healthz";
        var withSpec = RoutingModelBuilder.build(spec, CatalogSnapshot.of(services, instances, kv));
        assertThat(backend(withSpec, "a").healthCheck()).isEqualTo(new RoutingModel.HealthCheck("GET", "/healthz"));
        assertThat(backend(withSpec, "c").healthCheck()).isEqualTo(new RoutingModel.HealthCheck("GET", "/status"));
        assertThat(withSpec.rejections()).isEmpty();
    }

    @Test
    void aHostileHealthCheckFromKvFallsBackToTheBindingsAndIsReported() {
        var hostile = List.of("GET /x\nbackend evil", "POST /", "GET /a b", "/x#y", "GET", "GET x", "/'quoted'",
                "/${HOME}", "/" + "p".repeat(256));
        for (String value : hostile) {
            var model = build(Map.of("a", List.of("http")), Map.of("a", List.of(instance("a1", "10.0.0.1", 80))),
                    Map.of("service/a/healthCheck", value));
            assertThat(backend(model, "a").healthCheck()).as(value).isEqualTo(new RoutingModel.HealthCheck("OPTIONS",
                    "/"));
            assertThat(model.rejections()).as(value).singleElement().extracting(RoutingModel.Rejection::source)
                    .isEqualTo("service/a/healthCheck");
        }
    }

    @Test
    void aSnippetOfEightKibIsKeptAndOneByteMoreIsLeftOutWhole() {
        String line = "tune.bufsize 32768\n";
        String eightKib = line.repeat(8192 / line.length()) + "#".repeat(8192 % line.length());
        assertThat(eightKib.length()).isEqualTo(8192);
        var kept = build(Map.of(), Map.of(), Map.of("service/haproxy/global", eightKib));
        assertThat(kept.globals().globalLines()).hasSize(8192 / line.length() + 1);
        assertThat(kept.rejections()).isEmpty();

        var over = build(Map.of(), Map.of(), Map.of("service/haproxy/global", eightKib + "x"));
        assertThat(over.globals().globalLines()).isEmpty();
        assertThat(over.rejections()).singleElement().extracting(RoutingModel.Rejection::reason).asString()
                .startsWith("longer than 8 KiB (8192 bytes), left out whole");
    }

    private static RoutingModel build(Map<String, List<String>> services, Map<String, List<ServiceInstance>> instances,
            Map<String, String> kv) {
        return RoutingModelBuilder.build(spec(), CatalogSnapshot.of(services, instances, kv));
    }

    private static HaproxyConsulBindingSpec spec() {
        var spec = new HaproxyConsulBindingSpec();
        spec.routing = new RoutingSpec();
        spec.routing.domain = "example.com";
        return spec;
    }

    private static ServiceInstance instance(String id, String address, int port) {
        return new ServiceInstance(id, "node-" + id, address, port, List.of(), HealthStatus.PASSING);
    }

    private static RoutingModel.Backend backend(RoutingModel model, String service) {
        return model.backends().stream().filter(b -> b.service().equals(service)).findFirst().orElseThrow();
    }
}
