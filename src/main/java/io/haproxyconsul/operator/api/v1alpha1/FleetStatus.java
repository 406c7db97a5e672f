package io.haproxyconsul.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Where the HAProxy pods stand in moving to the current configuration. */
public class FleetStatus {

    @JsonPropertyDescription("Hash of the configuration the Deployment's pod template points at.")
    public String targetConfigHash;

    @JsonPropertyDescription("Pods the Deployment asks for.")
    public int desiredReplicas;

    @JsonPropertyDescription("Pods already on the target configuration.")
    public int updatedReplicas;

    @JsonPropertyDescription("Pods that are Ready, whatever their configuration.")
    public int readyReplicas;
}
