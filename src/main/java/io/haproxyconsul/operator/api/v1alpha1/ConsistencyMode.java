package io.haproxyconsul.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Consul's read consistency modes, as named in its HTTP API. */
public enum ConsistencyMode {
    @JsonProperty("default")
    DEFAULT,
    @JsonProperty("consistent")
    CONSISTENT,
    @JsonProperty("stale")
    STALE
}
