package io.haproxyconsul.operator.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.haproxyconsul.operator.testenv.RealParts;
import io.haproxyconsul.operator.testenv.RealParts.Part;
import io.haproxyconsul.operator.validate.HaproxyValidator;
import java.io.IOException;
import java.nio.file.Files;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every golden configuration is one the real HAProxy takes, through the operator's own {@code haproxy -c}, with no
 * warning (a deprecated keyword, say).
 */
class GoldenConfigIT {

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.haproxyconsul.operator.render.GoldenConfigTest#cases")
    void haproxyAcceptsTheGoldenConfigWithoutWarnings(GoldenCase golden) throws IOException {
        var validator = new HaproxyValidator(RealParts.require(Part.HAPROXY), 60_000);

        var result = validator.validate(Files.readString(golden.expected()));

        assertThat(result.valid()).as(result.output()).isTrue();
        // The server-state file exists only in the pods, once HAProxy has saved its state there.
        assertThat(result.output().lines().filter(line -> line.contains("[WARNING]")))
                .allMatch(line -> line.contains("server state file"));
    }
}
