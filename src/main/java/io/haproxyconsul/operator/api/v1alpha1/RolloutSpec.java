package io.haproxyconsul.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

public class RolloutSpec {

    @JsonPropertyDescription("Quiet period before a Consul change is rendered, like consul-template's wait.")
    public DebounceSpec debounce = new DebounceSpec();

    @Default("5")
    @Min(1)
    @Max(50)
    @JsonPropertyDescription("How many published configurations (ConfigMaps) to keep, the current and last known good included.")
    public int historyLimit = 5;

    @JsonPropertyDescription("Holds a configuration that removes most or all of what is served (an emptied Consul) until it persists, is approved, or the guard allows it.")
    public RemovalGuardSpec removalGuard = new RemovalGuardSpec();
}
