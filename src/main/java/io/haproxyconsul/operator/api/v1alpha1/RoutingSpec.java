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
    @JsonPropertyDescription("Route Host: <service>.<domain> (and the service's extra host from KV) to the service.")
    public boolean hostRouting = true;

    @Default("true")
    @JsonPropertyDescription("Route <domain>/<service>/... to the service, with the /<service> prefix stripped before the request reaches it.")
    public boolean pathRouting = true;

    @JsonPropertyDescription("HAProxy's health check of every server; a service may set its own in KV (<servicePrefix>/<service>/healthCheck: '<METHOD> <path>' or '<path>'). Default OPTIONS /.")
    public HealthCheckSpec healthCheck = new HealthCheckSpec();
}
