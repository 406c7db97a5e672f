package io.haproxyconsul.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

@ValidationRule(value = "self.hostRouting || self.pathRouting",
        message = "at least one of hostRouting and pathRouting must be true", reason = "FieldValueInvalid")
public class RoutingSpec {

    public enum HostMatch {
        Exact,
        Subdomains
    }

    @Required
    @Size(max = 253)
    @Pattern("^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\\.)*[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
    @JsonPropertyDescription("DNS domain of the published services: <service>.<domain> and <domain>/<service>/ (lower case).")
    public String domain;

    @Default("8080")
    @io.fabric8.generator.annotation.Min(1)
    @io.fabric8.generator.annotation.Max(65535)
    @JsonPropertyDescription("Port HAProxy's HTTP frontend listens on (above 1023: the pods run as non-root).")
    public int port = 8080;

    @Default("true")
    @JsonPropertyDescription("Route Host: <service>.<domain> (and the service's extra host from KV <servicePrefix>/<service>/domain) to the service, the path as sent. Host rules come before path rules.")
    public boolean hostRouting = true;

    @Default("Exact")
    @JsonPropertyDescription("How a service's host names match the Host header. Exact: the names themselves. Subdomains: also every name under them (www.<service>.<domain>), anchored at a dot, so <service>.<domain>.evil.example never matches; the longest matching name wins.")
    public HostMatch hostMatch = HostMatch.Exact;

    @Default("true")
    @JsonPropertyDescription("Route <domain>/<service> and <domain>/<service>/... to the service, with the /<service> prefix stripped before the request reaches it. A request that came by one of the service's host names keeps its path.")
    public boolean pathRouting = true;

    @JsonPropertyDescription("HAProxy's health check of every server; a service may set its own in KV (<servicePrefix>/<service>/healthCheck: '<METHOD> <path>' or '<path>'). Default OPTIONS /.")
    public HealthCheckSpec healthCheck = new HealthCheckSpec();
}
