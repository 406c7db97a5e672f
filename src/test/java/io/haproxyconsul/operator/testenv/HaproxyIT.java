package io.haproxyconsul.operator.testenv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.haproxyconsul.operator.testenv.RealParts.Part;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real HAProxy the operator's configs are written for: routing, reload through the master CLI, {@code -c}. */
class HaproxyIT {

    private static final String HOST = "shop.example";
    private static Path haproxy;

    @BeforeAll
    static void requireHaproxy() {
        haproxy = RealParts.require(Part.HAPROXY);
    }

    @Test
    void roundRobinReachesEveryInstanceAndForwardsTheClient() {
        int frontend = FreePorts.next();
        try (var web1 = BackendServer.start("web-1");
                var web2 = BackendServer.start("web-2");
                var proxy = HaproxyProcess.start(haproxy, config(frontend, web1, web2), frontend)) {
            Set<String> seen = ConcurrentHashMap.newKeySet();

            await("both instances answer through haproxy").atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
                var reply = HttpProbe.get(frontend, HOST, "/foo?x=1");
                assertThat(reply.status()).isEqualTo(200);
                assertThat(reply.body()).endsWith(" path=/foo?x=1 host=" + HOST + " xff=127.0.0.1");
                seen.add(reply.body().substring(0, reply.body().indexOf(' ')));
                assertThat(seen).containsExactlyInAnyOrder("identity=web-1", "identity=web-2");
            });
            assertThat(HttpProbe.get(frontend, "other.example", "/").status()).as("a host no rule names").isEqualTo(503);
        }
    }

    @Test
    void reloadThroughTheMasterCliSwitchesRouting() {
        int frontend = FreePorts.next();
        try (var web1 = BackendServer.start("web-1");
                var web2 = BackendServer.start("web-2");
                var proxy = HaproxyProcess.start(haproxy, config(frontend, web1), frontend)) {
            assertThat(HttpProbe.get(frontend, HOST, "/").body()).startsWith("identity=web-1 ");

            proxy.reload(config(frontend, web2));

            // The old worker may take a moment to stop listening; then every request lands on the new one.
            await("only web-2 answers after the reload").atMost(Duration.ofMinutes(1)).untilAsserted(() ->
                    assertThat(IntStream.range(0, 5).mapToObj(i -> HttpProbe.get(frontend, HOST, "/").body()))
                            .allMatch(body -> body.startsWith("identity=web-2 ")));
        }
    }

    @Test
    void aRefusedReloadKeepsTheOldWorkerServing() {
        int frontend = FreePorts.next();
        try (var web1 = BackendServer.start("web-1");
                var proxy = HaproxyProcess.start(haproxy, config(frontend, web1), frontend)) {

            assertThatThrownBy(() -> proxy.reload(config(frontend, web1) + "    bogus_keyword on\n"))
                    .hasMessageContaining("haproxy refused the new config")
                    .hasMessageContaining("unknown keyword 'bogus_keyword'");

            assertThat(HttpProbe.get(frontend, HOST, "/").body()).startsWith("identity=web-1 ");
        }
    }

    @Test
    void checkRejectsABrokenConfigWithHaproxysOwnErrorLine() {
        String broken = """
                defaults
                    mode http
                    bogus_keyword on
                """;

        var result = HaproxyProcess.check(haproxy, broken);

        assertThat(result.valid()).isFalse();
        assertThat(result.exitCode()).isNotZero();
        assertThat(result.firstAlert())
                .startsWith("[ALERT]")
                .contains("haproxy.cfg:3]")
                .contains("unknown keyword 'bogus_keyword'");
    }

    @Test
    void checkAcceptsTheRoutingConfig() {
        int frontend = FreePorts.next();
        try (var web1 = BackendServer.start("web-1")) {
            var result = HaproxyProcess.check(haproxy, config(frontend, web1));

            assertThat(result.valid()).as(result.output()).isTrue();
            assertThat(result.firstAlert()).isNull();
        }
    }

    private static String config(int frontendPort, BackendServer... instances) {
        var config = new StringBuilder("""
                defaults
                    mode http
                    timeout connect 5s
                    timeout client 30s
                    timeout server 30s

                frontend public
                    bind 127.0.0.1:%d
                    option forwardfor
                    use_backend web if { hdr(host) -i %s }

                backend web
                    balance roundrobin
                    option httpchk GET /
                """.formatted(frontendPort, HOST));
        for (var instance : instances) {
            config.append("    server %s 127.0.0.1:%d check%n".formatted(instance.identity(), instance.port()));
        }
        return config.toString();
    }
}
