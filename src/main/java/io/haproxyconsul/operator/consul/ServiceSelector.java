package io.haproxyconsul.operator.consul;

import io.haproxyconsul.operator.api.v1alpha1.ServiceSelectionSpec;
import io.haproxyconsul.operator.consul.ServiceInstance.HealthStatus;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Decides from the catalog listing alone (name and tags) which services a binding publishes, and from each
 * instance's health which of their instances it serves.
 */
public record ServiceSelector(List<String> requiredTags, List<Pattern> include, List<Pattern> exclude,
        boolean onlyPassing) {

    /**
     * @throws InvalidSelectionException naming the spec field of a pattern that does not compile
     */
    public static ServiceSelector from(ServiceSelectionSpec spec) {
        return new ServiceSelector(List.copyOf(spec.tags), compile("spec.services.include", spec.include),
                compile("spec.services.exclude", spec.exclude), spec.onlyPassing);
    }

    public boolean selects(String name, List<String> tags) {
        return tags.containsAll(requiredTags)
                && (include.isEmpty() || include.stream().anyMatch(p -> p.matcher(name).matches()))
                && exclude.stream().noneMatch(p -> p.matcher(name).matches());
    }

    /** Whether this binding serves the instance: never a critical one, a warning one unless only passing. */
    public boolean serves(ServiceInstance instance) {
        return serves(instance, onlyPassing);
    }

    /** The one rule of {@link #serves(ServiceInstance)}, for callers that hold the spec's flag rather than a selector. */
    public static boolean serves(ServiceInstance instance, boolean onlyPassing) {
        return instance.health() == HealthStatus.PASSING
                || (instance.health() == HealthStatus.WARNING && !onlyPassing);
    }

    private static List<Pattern> compile(String field, List<String> patterns) {
        return java.util.stream.IntStream.range(0, patterns.size()).mapToObj(i -> {
            try {
                return Pattern.compile(patterns.get(i));
            } catch (PatternSyntaxException e) {
                throw new InvalidSelectionException(field + "[" + i + "]: " + e.getDescription() + " in "
                        + patterns.get(i));
            }
        }).toList();
    }

    /** Pattern semantics (Java regex) cannot be checked by the API server's CEL rules. */
    public static final class InvalidSelectionException extends RuntimeException {
        public InvalidSelectionException(String message) {
            super(message);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ServiceSelector other && requiredTags.equals(other.requiredTags)
                && onlyPassing == other.onlyPassing && patterns(include).equals(patterns(other.include))
                && patterns(exclude).equals(patterns(other.exclude));
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(requiredTags, patterns(include), patterns(exclude), onlyPassing);
    }

    private static List<String> patterns(List<Pattern> compiled) {
        return compiled.stream().map(Pattern::pattern).toList();
    }
}
