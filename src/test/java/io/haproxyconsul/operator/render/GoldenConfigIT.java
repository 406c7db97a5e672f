package io.haproxyconsul.operator.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.haproxyconsul.operator.testenv.CommandResult;
import io.haproxyconsul.operator.testenv.RealParts;
import io.haproxyconsul.operator.testenv.RealParts.Part;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every golden configuration is one the real HAProxy takes with no warning (a deprecated keyword, say). HAProxy
 * prints its warnings whatever the exit code, so the check runs here rather than through the operator's validator,
 * which keeps only the first alert.
 */
class GoldenConfigIT {

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.haproxyconsul.operator.render.GoldenConfigTest#cases")
    void haproxyAcceptsTheGoldenConfigWithoutWarnings(GoldenCase golden) {
        String haproxy = RealParts.require(Part.HAPROXY).toString();

        // The stats listener reads its credentials from the pod's environment.
        var result = CommandResult.run(List.of("env", "STATS_USERNAME=check", "STATS_PASSWORD=check", haproxy, "-c",
                "-f", golden.expected().toAbsolutePath().toString()), golden.dir(), Duration.ofMinutes(1));

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).doesNotContain("[WARNING]");
    }
}
