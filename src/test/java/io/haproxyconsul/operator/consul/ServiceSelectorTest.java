package io.haproxyconsul.operator.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.haproxyconsul.operator.api.v1alpha1.ServiceSelectionSpec;
import io.haproxyconsul.operator.consul.ServiceInstance.HealthStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServiceSelectorTest {

    @Test
    void selectsHttpTaggedServicesByDefault() {
        var selector = ServiceSelector.from(new ServiceSelectionSpec());
        assertThat(selector.selects("webapp", List.of("http", "stateful"))).isTrue();
        assertThat(selector.selects("db", List.of("postgres"))).isFalse();
    }

    @Test
    void excludeWinsOverInclude() {
        var spec = new ServiceSelectionSpec();
        spec.include = List.of("web.*", "api");
        spec.exclude = List.of(".*-canary");
        var selector = ServiceSelector.from(spec);
        assertThat(selector.selects("webapp", List.of("http"))).isTrue();
        assertThat(selector.selects("webapp-canary", List.of("http"))).isFalse();
        assertThat(selector.selects("apix", List.of("http"))).isFalse();
    }

    @Test
    void badPatternNamesItsField() {
        var spec = new ServiceSelectionSpec();
        spec.exclude = List.of("ok", "(unclosed");
        assertThatThrownBy(() -> ServiceSelector.from(spec)).hasMessageStartingWith("spec.services.exclude[1]:");
    }

    @Test
    void servesPassingInstancesAndWarningOnesOnlyWhenNotOnlyPassing() {
        var spec = new ServiceSelectionSpec();
        var strict = ServiceSelector.from(spec);
        spec.onlyPassing = false;
        var lenient = ServiceSelector.from(spec);

        assertThat(strict.serves(instance(HealthStatus.PASSING))).isTrue();
        assertThat(strict.serves(instance(HealthStatus.WARNING))).isFalse();
        assertThat(lenient.serves(instance(HealthStatus.WARNING))).isTrue();
        assertThat(lenient.serves(instance(HealthStatus.CRITICAL))).isFalse();
        assertThat(ServiceSelector.serves(instance(HealthStatus.WARNING), false)).isTrue();
    }

    private static ServiceInstance instance(HealthStatus health) {
        return new ServiceInstance("web-1", "n1", "10.0.0.1", 80, List.of(), health);
    }
}
