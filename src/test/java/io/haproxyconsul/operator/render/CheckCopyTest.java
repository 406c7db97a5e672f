package io.haproxyconsul.operator.render;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class CheckCopyTest {

    private static final String CONFIG = """
            global
                maxconn 4096
            backend be_web
                balance leastconn
                server srv1 10.0.0.1:8080 check  # web-1
                server srv2 10.0.0.2:8080 check  # web-2
            # a comment at the start of a line does not end a section
                server srv3 10.0.0.3:8080 check  # web-3
                server srv4 127.0.0.1:1 check disabled
                server srv5 127.0.0.1:1 check disabled
            backend be_api
                server srv1 10.0.1.1:80 check  # api-1
                server srv2 127.0.0.1:1 check disabled
            listen stats
                server static1 10.9.9.9:80
                server static2 10.9.9.9:81
            """;

    @Test
    void eachModelBackendKeepsOneServerLineOfEachKindAndTheLinesKeepTheirNumbers() {
        String copy = CheckCopy.of(CONFIG, Set.of("be_web", "be_api"));

        assertThat(copy.lines()).hasSameSizeAs(CONFIG.lines().toList());
        assertThat(copy).contains("server srv1 10.0.0.1:8080 check  # web-1\n",
                "server srv4 127.0.0.1:1 check disabled\n", "server srv1 10.0.1.1:80 check  # api-1\n",
                "server srv2 127.0.0.1:1 check disabled\n")
                .doesNotContain("srv2 10.0.0.2", "srv3 10.0.0.3", "srv5 127.0.0.1");
        assertThat(copy).as("servers outside the model's backends").contains("static1", "static2");
        assertThat(copy.replaceAll("(?m)^ *server .*$", "")).isEqualTo(CONFIG.replaceAll("(?m)^ *server .*$", ""));
    }
}
