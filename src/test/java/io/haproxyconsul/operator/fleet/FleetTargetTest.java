package io.haproxyconsul.operator.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.haproxyconsul.operator.api.v1alpha1.PublishedConfig;
import org.junit.jupiter.api.Test;

class FleetTargetTest {

    private final PublishedConfig loaded = config("a1", "structure-a");

    @Test
    void theFirstConfigurationIsWhatThePodsLoad() {
        assertThat(FleetTarget.choose(null, loaded, false)).isSameAs(loaded);
    }

    @Test
    void serversOnlyChangesKeepWhatThePodsLoad() {
        assertThat(FleetTarget.choose(loaded, config("a2", "structure-a"), false)).isSameAs(loaded);
    }

    @Test
    void anotherStructureOrAnOutgrownBackendRollsThePods() {
        var other = config("b1", "structure-b");
        assertThat(FleetTarget.choose(loaded, other, false)).isSameAs(other);

        var bigger = config("a3", "structure-a");
        assertThat(FleetTarget.choose(loaded, bigger, true)).isSameAs(bigger);
    }

    private static PublishedConfig config(String hash, String structure) {
        var config = new PublishedConfig();
        config.hash = hash;
        config.structureHash = structure;
        return config;
    }
}
