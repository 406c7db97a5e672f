package io.haproxyconsul.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;
import java.time.Duration;

@ValidationRule(value = "duration(self.min) <= duration(self.max)", message = "min must not be longer than max",
        fieldPath = ".min", reason = "FieldValueInvalid")
public class DebounceSpec {

    /** A Go-style duration limited to what {@link #parse} reads: 0, 250ms, 1s, 1m, 1m30s. */
    static final String DURATION = "^(0|([0-9]{1,6}(ms|s|m))+)$";

    @Default("1s")
    @Pattern(DURATION)
    @JsonPropertyDescription("Wait at least this long after the last Consul change before rendering (e.g. 0, 500ms, 1s).")
    public String min = "1s";

    @Default("4s")
    @Pattern(DURATION)
    @JsonPropertyDescription("Render at the latest this long after the first of a burst of changes, even if changes keep coming.")
    public String max = "4s";

    public Duration minDuration() {
        return parse(min);
    }

    public Duration maxDuration() {
        return parse(max);
    }

    static Duration parse(String text) {
        Duration total = Duration.ZERO;
        var matcher = java.util.regex.Pattern.compile("([0-9]+)(ms|s|m)").matcher(text);
        while (matcher.find()) {
            long amount = Long.parseLong(matcher.group(1));
            total = total.plus(switch (matcher.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                default -> Duration.ofMinutes(amount);
            });
        }
        return total;
    }
}
