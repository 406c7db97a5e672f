package io.haproxyconsul.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

@ValidationRule(value = "!has(self.tls) || self.address.startsWith('https://')",
        message = "tls is only allowed with an https:// address", fieldPath = ".tls", reason = "FieldValueForbidden")
public class ConsulSpec {

    @Required
    @Size(max = 253)
    @Pattern("^https?://([A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+\\])(:[0-9]{1,5})?/?$")
    @JsonPropertyDescription("HTTP(S) address of the Consul agent, e.g. http://consul.consul.svc:8500 (scheme, host and optional port; no path).")
    public String address;

    @Pattern("^[A-Za-z0-9_-]{1,64}$")
    @JsonPropertyDescription("Datacenter to query. Defaults to the datacenter of the agent.")
    public String datacenter;

    @JsonPropertyDescription("Secret key holding the Consul ACL token. Without it, requests carry no token.")
    public SecretKeySelector tokenSecretRef;

    @JsonPropertyDescription("TLS settings for an https:// address.")
    public ConsulTlsSpec tls;
}
