package io.haproxyconsul.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** A rendered, validated configuration stored in an immutable ConfigMap. */
public class PublishedConfig {

    @JsonPropertyDescription("Content hash of haproxy.cfg (first 16 hex digits of its SHA-256).")
    public String hash;

    @JsonPropertyDescription("Name of the immutable ConfigMap holding it.")
    public String configMapName;

    @JsonPropertyDescription("Number of services published.")
    public int services;

    @JsonPropertyDescription("Number of servers (service instances) across all backends.")
    public int servers;

    @JsonPropertyDescription("Size of haproxy.cfg in bytes.")
    public long bytes;

    @JsonPropertyDescription("Hash of its structure: everything but the servers, which running HAProxies take without a reload. A configuration of another structure rolls the pods.")
    public String structureHash;

    @JsonPropertyDescription("gzip when the ConfigMap holds haproxy.cfg.gz (configurations above 768 KiB); unset for plain haproxy.cfg.")
    public String encoding;
}
