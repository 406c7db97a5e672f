package io.haproxyconsul.operator.consul;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ServiceNamesTest {

    @Test
    void namesThatChangeTheShapeOfAUrlOrHoldControlCharactersAreNeverAsked() {
        assertThat(ServiceNames.unaskable("bad\nname")).hasValueSatisfying(
                reason -> assertThat(reason).contains("control character"));
        assertThat(ServiceNames.unaskable("odd#name")).hasValueSatisfying(reason -> assertThat(reason).contains("'#'"));
        assertThat(ServiceNames.unaskable("a/b")).isPresent();
        assertThat(ServiceNames.unaskable("a?b")).isPresent();
        assertThat(ServiceNames.unaskable("50%")).isPresent();
        assertThat(ServiceNames.unaskable("")).isPresent();
    }

    @Test
    void otherNamesAreAskedEscapedEvenThoseNoConfigurationCanHold() {
        assertThat(ServiceNames.unaskable("web")).isEmpty();
        assertThat(ServiceNames.unaskable("web.v2")).isEmpty();
        assertThat(ServiceNames.unaskable("with space")).isEmpty();
    }

    @Test
    void consulRefusesTheQuestionOnAClientErrorThatIsNotAboutTheAskerOrTheMoment() {
        assertThat(new ConsulRefusal(400, "Missing service name").refusesQuestion()).isTrue();
        assertThat(new ConsulRefusal(404, "").refusesQuestion()).isTrue();
        assertThat(new ConsulRefusal(403, "ACL not found").refusesQuestion()).isFalse();
        assertThat(new ConsulRefusal(429, "").refusesQuestion()).isFalse();
        assertThat(new ConsulRefusal(500, "rpc error").refusesQuestion()).isFalse();
        assertThat(new ConsulRefusal(400, " ").getMessage()).isEqualTo("Consul answered 400");
    }
}
