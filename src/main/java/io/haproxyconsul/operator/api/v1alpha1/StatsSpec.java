package io.haproxyconsul.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

public class StatsSpec {

    @Required
    @Pattern("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")
    @JsonPropertyDescription("Secret with keys 'username' and 'password' protecting the statistics page.")
    public String credentialsSecretName;

    @Default("1936")
    @Min(1)
    @Max(65535)
    @JsonPropertyDescription("Port of the statistics listener.")
    public int port = 1936;
}
