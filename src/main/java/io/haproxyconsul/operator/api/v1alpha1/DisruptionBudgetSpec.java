package io.haproxyconsul.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;

public class DisruptionBudgetSpec {

    @Default("1")
    @Min(0)
    @JsonPropertyDescription("Pods that must stay available during voluntary disruptions such as node drains.")
    public int minAvailable = 1;
}
