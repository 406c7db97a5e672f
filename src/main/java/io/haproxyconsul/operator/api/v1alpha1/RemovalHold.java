package io.haproxyconsul.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** A configuration held back because it removes too much of what is served. */
public class RemovalHold {

    @JsonPropertyDescription("Hash of the held configuration: the value the annotation haproxyconsul.io/approve-removal takes.")
    public String configHash;

    @JsonPropertyDescription("Since when a configuration has been held (RFC 3339).")
    public String since;

    @JsonPropertyDescription("Services and servers of the held configuration.")
    public int services;

    public int servers;

    @JsonPropertyDescription("Services and servers served now.")
    public int servedServices;

    public int servedServers;
}
