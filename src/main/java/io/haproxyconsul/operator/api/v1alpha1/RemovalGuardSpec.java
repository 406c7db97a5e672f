package io.haproxyconsul.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import java.time.Duration;

/**
 * Keeps an emptied or restored Consul (a fresh agent, a wrong datacenter) from wiping the routes: a configuration
 * that removes too much of what is served waits, and the last one keeps serving.
 */
public class RemovalGuardSpec {

    /** Approves one held configuration by its hash: {@code kubectl annotate hcb NAME haproxyconsul.io/approve-removal=HASH}. */
    public static final String APPROVE_ANNOTATION = "haproxyconsul.io/approve-removal";

    @Default("50")
    @Min(0)
    @Max(100)
    @JsonPropertyDescription("A configuration that removes more than this share (percent) of the services or of the servers served now, or all of them, is held. 100 turns the guard off.")
    public int maxRemovalPercent = 50;

    @Default("10m")
    @Pattern(DebounceSpec.DURATION)
    @JsonPropertyDescription("How long a held configuration must keep being what Consul says before it is published anyway (e.g. 10m; 0 waits for approval only). Approve one at once with the annotation haproxyconsul.io/approve-removal=<status.removalHold.configHash>.")
    public String holdFor = "10m";

    public Duration holdForDuration() {
        return DebounceSpec.parse(holdFor);
    }
}
