package io.haproxyconsul.operator.render;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConfigStructureTest {

    private static final String CONFIG = """
            global
                maxconn 4096
            # a comment at the start of a line does not end a section
            backend be_web
                balance leastconn
            # servers follow
                server srv1 10.0.0.1:8080 check  # web-1
                server srv2 127.0.0.1:1 check disabled
            listen stats
                bind :1936
                server static 10.9.9.9:80
            """;

    private static ConfigStructure structure(String text) {
        return ConfigStructure.of("built-in", utf8(text), Set.of("be_web", "be_api"));
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void otherServersOrMoreSlotsInAModelBackendKeepTheStructure() {
        String moved = CONFIG.replace("server srv1 10.0.0.1:8080 check  # web-1", "server srv1 10.0.0.7:9000 check"
                + "  # web-7\n    server srv2 10.0.0.8:8080 check").replace("srv2 127.0.0.1:1", "srv3 127.0.0.1:1");

        assertThat(structure(moved).hash()).isEqualTo(structure(CONFIG).hash());
        assertThat(structure(CONFIG).runtimeBackends()).containsExactly("be_web");
    }

    @Test
    void anyOtherLineIsStructure() {
        assertThat(structure(CONFIG.replace("leastconn", "roundrobin")).hash()).isNotEqualTo(structure(CONFIG).hash());
        assertThat(structure(CONFIG.replace("10.9.9.9:80", "10.9.9.9:81")).hash())
                .as("a server outside the model's backends").isNotEqualTo(structure(CONFIG).hash());
        assertThat(ConfigStructure.of("template 1234", utf8(CONFIG), Set.of("be_web")).hash())
                .as("another template").isNotEqualTo(structure(CONFIG).hash());
    }

    /**
     * Status keeps structure hashes across operator upgrades: a new way of computing them would roll every fleet.
     * These values come from the first implementation, which read the text as Java strings line by line.
     */
    @Test
    void theHashOfAStructureNeverChanges() {
        assertThat(structure(CONFIG).hash()).isEqualTo("1606f83afda35913");
        String odd = "backend be_web\n\u2003server srv1 10.0.0.9:80 check\n\tserver\tsrv2 10.0.0.8:80\n  servers x\n"
                + "  server\nbackend be_caf\u00e9\n  server srv1 10.0.0.1:80 check  # caf\u00e9\n\u00e9 line\n"
                + "no newline at the end";
        var structure = ConfigStructure.of("built-in", utf8(odd), Set.of("be_web", "be_caf\u00e9"));
        assertThat(structure.hash()).isEqualTo("f0ea94988a564b9e");
        assertThat(structure.runtimeBackends()).containsExactlyInAnyOrder("be_web", "be_caf\u00e9");
    }
}
