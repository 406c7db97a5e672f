package io.haproxyconsul.operator.testenv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.haproxyconsul.operator.testenv.RealParts.MissingPartException;
import io.haproxyconsul.operator.testenv.RealParts.Part;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

class RealPartsTest {

    @Test
    void aMissingPartFailsInCiNamingTheSetupCommand() {
        Map<String, String> ci = Map.of("CI", "true");

        assertThatThrownBy(() -> RealParts.require(Part.CONSUL, ci::get))
                .isInstanceOf(MissingPartException.class)
                .hasMessageContaining("CONSUL is not set")
                .hasMessageContaining("hack/testenv.sh install");
    }

    @Test
    void aMissingPartSkipsOutsideCiNamingTheSetupCommand() {
        Map<String, String> laptop = Map.of();

        assertThatThrownBy(() -> RealParts.require(Part.HAPROXY, laptop::get))
                .isInstanceOf(TestAbortedException.class)
                .hasMessageContaining("HAPROXY is not set")
                .hasMessageContaining("hack/testenv.sh install");
    }

    @Test
    void aPathThatIsNotAnExecutableFailsInCi() {
        Map<String, String> ci = Map.of("CI", "true", "CONSUL", "/nonexistent/consul");

        assertThatThrownBy(() -> RealParts.require(Part.CONSUL, ci::get))
                .isInstanceOf(MissingPartException.class)
                .hasMessageContaining("CONSUL=/nonexistent/consul is not an executable file")
                .hasMessageContaining("hack/testenv.sh install");
    }

    @Test
    void anExecutableIsReturned() {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Map<String, String> ci = Map.of("CI", "true", "HAPROXY", java.toString());

        assertThat(RealParts.require(Part.HAPROXY, ci::get)).isEqualTo(java);
    }
}
