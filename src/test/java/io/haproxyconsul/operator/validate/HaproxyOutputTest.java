package io.haproxyconsul.operator.validate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HaproxyOutputTest {

    @Test
    void picksTheAlertThatPointsAtALine() {
        String output = """
                [NOTICE]   (2197) : haproxy version is 2.6.12-1+deb12u4
                [ALERT]    (2197) : config : parsing [haproxy.cfg:2] : unknown keyword 'bogus' in 'global' section
                [ALERT]    (2197) : config : Error(s) found in configuration file : haproxy.cfg
                [ALERT]    (2197) : config : Fatal errors found in configuration.
                """;
        assertThat(HaproxyOutput.firstAlert(output))
                .isEqualTo("parsing [haproxy.cfg:2] : unknown keyword 'bogus' in 'global' section");
    }
}
