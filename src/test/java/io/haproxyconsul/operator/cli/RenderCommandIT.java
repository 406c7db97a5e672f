package io.haproxyconsul.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.haproxyconsul.operator.testenv.CommandResult;
import io.haproxyconsul.operator.testenv.ConsulAgent;
import io.haproxyconsul.operator.testenv.RealParts;
import io.haproxyconsul.operator.testenv.RealParts.Part;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged binary's render command, as a GitOps pipeline would run it: exit codes, output, HAProxy's words. */
class RenderCommandIT {

    private static final Path GOLDEN = Path.of("src/test/resources/golden/seed-behaviours");

    @TempDir
    Path work;

    @Test
    void aValidCatalogRendersAndPassesHaproxysCheck() {
        var result = render("-f", GOLDEN.resolve("binding.yaml").toString(), "--catalog",
                GOLDEN.resolve("catalog.json").toString(), "--validate");

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("backend be_webapp", " 10.0.0.1:8080 check  # webapp-1",
                "haproxy -c: configuration", "is valid");
    }

    @Test
    void aKvValueHaproxyRefusesExitsWithHaproxysErrorLine() throws IOException {
        Path catalog = Files.writeString(work.resolve("catalog.json"), """
                {"services": {"api": ["http"]},
                 "instances": {"api": [{"serviceId": "api-1", "node": "n", "address": "10.0.0.3", "port": 9000,
                                        "tags": ["http"], "health": "PASSING"}]},
                 "kv": {"service/haproxy/global": "no-such-directive on"}}
                """);

        var result = render("-f", GOLDEN.resolve("binding.yaml").toString(), "--catalog", catalog.toString(),
                "--validate");

        assertThat(result.exitCode()).as(result.output()).isEqualTo(1);
        assertThat(result.output()).contains("no-such-directive on")
                .containsPattern("haproxy -c: parsing \\[haproxy\\.cfg:\\d+\\] : unknown keyword 'no-such-directive'");
    }

    @Test
    void aLiveConsulIsReadOnce() {
        try (var consul = ConsulAgent.start(RealParts.require(Part.CONSUL))) {
            consul.registerService("orders", "orders-1", List.of("http"), "127.0.0.1", 9100);
            consul.registerService("ledger", "ledger-1", List.of("grpc"), "127.0.0.1", 9200);
            consul.kvPut("service/haproxy/maxconn", "777");

            var result = render("-f", GOLDEN.resolve("binding.yaml").toString(), "--consul", consul.httpAddress());

            assertThat(result.exitCode()).as(result.output()).isZero();
            assertThat(result.output()).contains("maxconn 777", " 127.0.0.1:9100 check  # orders-1")
                    .doesNotContain("ledger");
        }
    }

    @Test
    void servicesConsulCannotOrWillNotAnswerForAreNamedAndTheOthersRender() {
        try (var consul = ConsulAgent.start(RealParts.require(Part.CONSUL))) {
            consul.registerService("orders", "orders-1", List.of("http"), "127.0.0.1", 9100);
            consul.registerService("bad\nname", "bad-1", List.of("http"), "127.0.0.1", 9101);
            consul.registerService(".", "dot-1", List.of("http"), "127.0.0.1", 9102);

            var result = render("-f", GOLDEN.resolve("binding.yaml").toString(), "--consul", consul.httpAddress(),
                    "--validate");

            assertThat(result.exitCode()).as(result.output()).isZero();
            assertThat(result.output()).contains(" 127.0.0.1:9100 check  # orders-1", "is valid")
                    .contains("left out: service bad\\x0aname: Consul cannot be asked about a service whose name "
                            + "holds a control character")
                    .contains("left out: service .: Consul answered 400: Missing service name");
        }
    }

    @Test
    void wrongUsageExitsWithTwoAndSaysWhy() {
        var result = render("-f", GOLDEN.resolve("binding.yaml").toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.output()).contains("give exactly one of --catalog and --consul", "usage: render");
    }

    private static CommandResult render(String... args) {
        var command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-jar",
                Path.of("target/quarkus-app/quarkus-run.jar").toAbsolutePath().toString(), "render", "--haproxy",
                RealParts.require(Part.HAPROXY).toString()));
        command.addAll(List.of(args));
        return CommandResult.run(command, Path.of("").toAbsolutePath(), Duration.ofMinutes(2));
    }
}
