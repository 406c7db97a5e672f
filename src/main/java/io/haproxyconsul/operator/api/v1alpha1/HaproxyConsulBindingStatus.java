package io.haproxyconsul.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

public class HaproxyConsulBindingStatus {

    @JsonPropertyDescription("The metadata.generation this status describes.")
    public Long observedGeneration;

    @JsonPropertyDescription("Ready, ConsulSynced, ConfigValid and (with spec.fleet) RolledOut, in the shape kubectl wait understands.")
    public List<Condition> conditions = new ArrayList<>();

    @JsonPropertyDescription("The configuration published now.")
    public PublishedConfig currentConfig;

    @JsonPropertyDescription("The newest configuration that passed validation; the one the fleet returns to.")
    public PublishedConfig lastKnownGoodConfig;

    @JsonPropertyDescription("The HAProxy pods' progress towards the current configuration (with spec.fleet).")
    public FleetStatus fleet;

    @JsonPropertyDescription("HAProxy's own error line for the last candidate that failed validation; empty once a valid one is published.")
    public String lastValidationError;

    @JsonPropertyDescription("Hash of the last candidate that failed validation. The same candidate is not validated again; a change in Consul, KV or the spec makes a new one.")
    public String rejectedConfigHash;

    @JsonPropertyDescription("A configuration held back because it removes most or all of what is served (spec.rollout.removalGuard).")
    public RemovalHold removalHold;

    @JsonPropertyDescription("Structure hash of the last configuration the HAProxy pods refused: configurations of that structure are not rolled out again until the template, KV or spec change it.")
    public String rejectedStructureHash;

    @JsonPropertyDescription("Values from Consul, KV or template parameters left out of the configuration, and why (at most 20).")
    public List<String> rejectedValues = new ArrayList<>();
}
