package io.haproxyconsul.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Where the HAProxy pods stand: the configuration they load, and whether they serve the current servers. */
public class FleetStatus {

    @JsonPropertyDescription("The configuration the pods load (the Deployment's pod template names its ConfigMap). Server changes reach running pods through their Runtime API without changing it; another structure replaces it, one pod at a time.")
    public PublishedConfig podConfig;

    @JsonPropertyDescription("The configuration every pod loaded when status.lastKnownGoodConfig was reached: the fleet returns to it when pods refuse a new one.")
    public PublishedConfig lastKnownGoodPodConfig;

    @JsonPropertyDescription("Pods the Deployment asks for.")
    public int desiredReplicas;

    @JsonPropertyDescription("Pods that load podConfig.")
    public int updatedReplicas;

    @JsonPropertyDescription("Pods that are Ready, whatever their configuration.")
    public int readyReplicas;

    @JsonPropertyDescription("Pods that serve the servers of status.currentConfig.")
    public int syncedReplicas;
}
