package io.haproxyconsul.operator.consul;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class KvPrefixesTest {

    @Test
    void aPrefixInsideAnotherIsReadWithIt() {
        assertThat(KvPrefixes.covering(List.of("service/haproxy", "service"))).containsExactly("service");
        assertThat(KvPrefixes.covering(List.of("lb", "lb/apps/web"))).containsExactly("lb");
    }

    @Test
    void theSamePrefixTwiceIsReadOnce() {
        assertThat(KvPrefixes.covering(List.of("lb", "lb"))).containsExactly("lb");
    }

    @Test
    void prefixesApartAreEachRead() {
        assertThat(KvPrefixes.covering(List.of("secure/haproxy", "service"))).containsExactly("secure/haproxy",
                "service");
        // A look-alike is not inside: services/ is not under service/.
        assertThat(KvPrefixes.covering(List.of("services/haproxy", "service"))).containsExactly("services/haproxy",
                "service");
    }
}
