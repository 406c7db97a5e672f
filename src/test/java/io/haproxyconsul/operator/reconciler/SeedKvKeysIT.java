package io.haproxyconsul.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.haproxyconsul.operator.testenv.ConsulAgent;
import io.haproxyconsul.operator.testenv.FreePorts;
import io.haproxyconsul.operator.testenv.OperatorEnvironment;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A user of the seed image moves to the operator with the KV keys the seed read: the operator, in this JVM against
 * the real API server and Consul, takes them, and names in status the keys it does not read.
 */
@QuarkusTest
@WithTestResource(OperatorEnvironment.class)
class SeedKvKeysIT {

    OperatorEnvironment env;

    @Test
    void theSeedsKeysTakeEffectAndAKeyNothingReadsIsNamedOnce() {
        ConsulAgent consul = env.consul();
        // The default layout's shape: the global prefix inside the service prefix.
        consul.kvPut("parity/haproxy/maxconn", "1500");
        consul.kvPut("parity/haproxy/logger/server", "127.0.0.1:5514");
        consul.kvPut("parity/haproxy/logger/level", "notice");
        consul.kvPut("parity/haproxy/debug", "false");
        consul.kvPut("parity/haproxy/global", "tune.bufsize 32768");
        consul.kvPut("parity/haproxy/defaults", "timeout queue 7s");
        consul.kvPut("parity/haproxy/maxconnn", "2000");
        consul.kvPut("parity/haproxy/syslog/level", "debug");
        consul.kvPut("parity/haproxy/domain", "parity.example");
        consul.kvPut("parity/parityapp/domain", "www.parityapp.example");
        consul.kvPut("parity/parityapp/healthCheck", "GET /healthz");
        consul.kvPut("parity/someone-else/serverCookie", "SID");
        consul.kvPut("parity/someone-else/settings", "not this binding's business");
        consul.registerService("parityapp", "parityapp-1", List.of("http"), "127.0.0.1", FreePorts.next());
        var seed = new BindingFixture(env.controlPlane(), "seedkv");
        seed.apply("""
                  consul:
                    address: %s
                  services:
                    include: ["parityapp"]
                  routing:
                    domain: parity.test
                  kv:
                    prefix: parity/haproxy
                    servicePrefix: parity
                  rollout:
                    debounce: {min: 100ms, max: 500ms}
                """.formatted(consul.httpAddress()));
        seed.awaitReady();

        String config = seed.awaitConfig("the seed's keys",
                text -> text.contains(BindingFixture.server("parityapp-1")));
        assertThat(config).contains("maxconn 1500", "log 127.0.0.1:5514 local0 notice", "tune.bufsize 32768",
                "timeout queue 7s", "option httpchk GET /healthz", "www.parityapp.example");
        await("the keys nothing reads, each named once").atMost(BindingFixture.PUBLISH).untilAsserted(() -> assertThat(
                seed.binding().getStatus().rejectedValues).containsExactly(
                "parity/haproxy/domain: not read: the domain is spec.routing.domain",
                "parity/haproxy/maxconnn: not a key the operator reads (under parity/haproxy/ it reads maxconn,"
                        + " logger/server, logger/level, debug, global and defaults)",
                "parity/haproxy/syslog/level: not read: the log level is parity/haproxy/logger/level, the seed"
                        + " image's key"));

        consul.kvPut("parity/haproxy/debug", "true");
        seed.awaitConfig("debug raises the log level", text -> text.contains("log 127.0.0.1:5514 local0 debug"));
        consul.kvPut("parity/haproxy/defaults", "timeout queue 7s\n" + "#".repeat(8 * 1024));
        seed.awaitConfig("a snippet over 8 KiB is left out whole", text -> !text.contains("timeout queue 7s"));
        await("the snippet named beside the unread keys, each once").atMost(BindingFixture.PUBLISH).untilAsserted(
                () -> assertThat(seed.binding().getStatus().rejectedValues).satisfiesExactly(
                        r -> assertThat(r).startsWith("parity/haproxy/defaults: longer than 8 KiB (8192 bytes), left"
                                + " out whole"),
                        r -> assertThat(r).startsWith("parity/haproxy/domain: not read"),
                        r -> assertThat(r).startsWith("parity/haproxy/maxconnn: not a key the operator reads"),
                        r -> assertThat(r).startsWith("parity/haproxy/syslog/level: not read")));
        seed.awaitReady();
    }
}
