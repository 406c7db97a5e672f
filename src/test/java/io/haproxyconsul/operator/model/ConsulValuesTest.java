package io.haproxyconsul.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConsulValuesTest {

    @Test
    void ipv6LiteralsAreBracketedAndTextThatOnlyLooksLikeOneIsRefused() {
        assertThat(ConsulValues.serverAddress("::1")).hasValue("[::1]");
        assertThat(ConsulValues.serverAddress("fe80::1")).hasValue("[fe80::1]");
        assertThat(ConsulValues.serverAddress("::")).hasValue("[::]");
        assertThat(ConsulValues.serverAddress("1::")).hasValue("[1::]");
        assertThat(ConsulValues.serverAddress("1:2:3:4:5:6:7:8")).hasValue("[1:2:3:4:5:6:7:8]");
        assertThat(ConsulValues.serverAddress("::ffff:10.1.2.3")).hasValue("[::ffff:10.1.2.3]");

        // haproxy -c takes each of these for a host name it cannot resolve, and disables the server.
        for (String hostile : new String[] {"1::2::3", "::::::", ":.", ":1", "1:", "12345::1", "::1.2.3",
                "1:2:3:4:5:6:7:8:9", "1.2.3.4::", "1:2:3:4:5:6:7:8::", "0000:0000::00001"}) {
            assertThat(ConsulValues.serverAddress(hostile)).as(hostile).isEmpty();
        }
    }

    @Test
    void onlyAddressesHaproxyParsesWithoutResolvingAreIpLiterals() {
        assertThat(ConsulValues.isIpLiteral("10.0.0.1")).isTrue();
        assertThat(ConsulValues.isIpLiteral("[::1]")).isTrue();
        assertThat(ConsulValues.isIpLiteral("web.example.com")).isFalse();
        assertThat(ConsulValues.isIpLiteral("999.1.1.1")).as("a DNS name of digits").isFalse();
        for (String notIpv4 : new String[] {"01.1.1.1", "1.2.3.4.", "256.1.1.1", "1.2.3", "1.2.3.4.5", "1..2.3",
                "1234.1.1.1", ".1.2.3", ""}) {
            assertThat(ConsulValues.isIpv4(notIpv4)).as(notIpv4).isFalse();
        }
        for (String ipv4 : new String[] {"0.0.0.0", "255.255.255.255", "10.0.0.1", "192.168.100.9"}) {
            assertThat(ConsulValues.isIpv4(ipv4)).as(ipv4).isTrue();
        }
    }
}
