package io.haproxyconsul.operator.render;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class GoldenConfigTest {

    static Stream<GoldenCase> cases() throws IOException {
        return Files.list(GoldenCase.ROOT).filter(Files::isDirectory).sorted().map(GoldenCase::new);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rendersTheExpectedHaproxyConfig(GoldenCase golden) throws IOException {
        String actual = golden.render().text();
        if (GoldenCase.updating()) {
            golden.update(golden.expected(), actual);
        }
        assertThat(actual).isEqualTo(Files.readString(golden.expected()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void leavesOutAndNamesTheExpectedValues(GoldenCase golden) throws IOException {
        String actual = golden.rejectedValues();
        if (GoldenCase.updating()) {
            golden.update(golden.expectedRejectedValues(), actual);
        }
        assertThat(actual).isEqualTo(Files.readString(golden.expectedRejectedValues()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void sameCatalogGivesTheSameBytesAndHash(GoldenCase golden) {
        var first = golden.render();
        var second = golden.render();
        assertThat(second.text()).isEqualTo(first.text());
        assertThat(second.hash()).isEqualTo(first.hash());
    }
}
