package io.haproxyconsul.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

public class ServiceSelectionSpec {

    /** Sizes only: a pattern (matches) over unbounded items exceeds the API server's CEL cost budget. */
    static final String TAG_RULE = "self.all(t, size(t) >= 1 && size(t) <= 128)";

    @Default("[\"http\"]")
    @Size(min = 1, max = 16)
    @ValidationRule(value = TAG_RULE, message = "each tag must be 1 to 128 characters")
    @JsonPropertyDescription("A service is published when it carries every one of these tags.")
    public List<String> tags = new ArrayList<>(List.of("http"));

    @Size(max = 64)
    @ValidationRule(value = "self.all(p, size(p) <= 256)", message = "each pattern must be at most 256 characters")
    @JsonPropertyDescription("Regular expressions (Java syntax, whole-name match); when set, only matching service names are published.")
    public List<String> include = new ArrayList<>();

    @Size(max = 64)
    @ValidationRule(value = "self.all(p, size(p) <= 256)", message = "each pattern must be at most 256 characters")
    @JsonPropertyDescription("Regular expressions (Java syntax, whole-name match) of service names never published. Wins over include.")
    public List<String> exclude = new ArrayList<>();

    @Default("true")
    @JsonPropertyDescription("Publish only instances whose health checks all pass (the seed's behaviour). When false, warning instances are published too; critical ones never are.")
    public boolean onlyPassing = true;
}
