package io.haproxyconsul.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.ValidationRule;

@ValidationRule(value = "!(has(self.caSecretRef) && self.insecureSkipVerify)",
        message = "caSecretRef and insecureSkipVerify exclude each other", reason = "FieldValueForbidden")
public class ConsulTlsSpec {

    @JsonPropertyDescription("Secret key holding the PEM CA bundle that signed Consul's certificate. Defaults to the JVM trust store.")
    public SecretKeySelector caSecretRef;

    @Default("false")
    @JsonPropertyDescription("Skip verification of Consul's certificate. For tests only.")
    public boolean insecureSkipVerify;
}
