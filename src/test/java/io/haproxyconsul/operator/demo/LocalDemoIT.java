package io.haproxyconsul.operator.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.haproxyconsul.operator.testenv.CommandResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The README's demo command, in the mode that checks the curl lines it prints and exits. */
@Tag("demo")
class LocalDemoIT {

    @Test
    void theDemoServesWhatItPrintsAndShowsAConsulChange() {
        // The classpath of this build: the script would otherwise run Maven inside Maven.
        var result = CommandResult.run(List.of("env", "HCO_DEMO_CLASSPATH=" + System.getProperty("java.class.path"),
                "bash", "hack/demo.sh", "--check"), Path.of("").toAbsolutePath(), Duration.ofMinutes(10));

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("curl -s -H 'Host: webapp.example.test' http://10.235.0.",
                "identity=webapp-", "path=/orders/7", "identity=api-1 path=/v1/items",
                "webapp-3 reached the running HAProxy pods", "demo-haproxy-", "check passed");
    }
}
