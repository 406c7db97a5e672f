package io.haproxyconsul.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Map;
import java.util.TreeMap;

public class TemplateSpec {

    @JsonPropertyDescription("ConfigMap key holding a Qute template of haproxy.cfg. Unset: the built-in default template.")
    public ConfigMapKeySelector configMapRef;

    @ValidationRule(value = "self.all(k, k.matches('^[A-Za-z][A-Za-z0-9_]{0,62}$'))",
            message = "parameter names must match ^[A-Za-z][A-Za-z0-9_]{0,62}$")
    @ValidationRule(value = "self.all(k, size(self[k]) <= 1024)", message = "parameter values must be at most 1024 characters")
    @Size(max = 64)
    @JsonPropertyDescription("Free parameters, available to the template as {params.<name>}. The same value checks apply as to Consul values.")
    public Map<String, String> parameters = new TreeMap<>();
}
