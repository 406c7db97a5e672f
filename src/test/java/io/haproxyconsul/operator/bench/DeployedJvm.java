package io.haproxyconsul.operator.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The operator's JVM settings as deployed, for benchmarks that run the packaged operator outside a container:
 * Dockerfile.jvm's {@code JAVA_OPTS} and {@code MALLOC_ARENA_MAX}, with the container's memory limit from
 * deploy/base's Deployment given as {@code -XX:MaxRAM} (what the JVM would read from its cgroup).
 * {@code BENCH_OPERATOR_JVM} replaces the options.
 */
final class DeployedJvm {

    private static final Pattern JAVA_OPTS = Pattern.compile("ENV JAVA_OPTS=\"([^\"]*)\"");
    private static final Pattern MALLOC_ARENA_MAX = Pattern.compile("ENV MALLOC_ARENA_MAX=(\\d+)");
    private static final Pattern MEMORY_LIMIT = Pattern.compile("limits:\\s*\\n\\s*memory:\\s*(\\d+)Mi");

    private DeployedJvm() {
    }

    /** The environment of the operator's process: {@code JAVA_TOOL_OPTIONS} and the malloc setting. */
    static Map<String, String> environment() {
        return Map.of("JAVA_TOOL_OPTIONS", options(), "MALLOC_ARENA_MAX", find(MALLOC_ARENA_MAX,
                Path.of("Dockerfile.jvm")));
    }

    private static String options() {
        String override = System.getenv("BENCH_OPERATOR_JVM");
        if (override != null) {
            return override;
        }
        String opts = find(JAVA_OPTS, Path.of("Dockerfile.jvm")).replaceAll("-Dquarkus\\.http\\.host=\\S+", "")
                .strip();
        return "-XX:MaxRAM=" + limitMib() + "m " + opts;
    }

    /** The memory limit of deploy/base's operator container. */
    private static int limitMib() {
        return Integer.parseInt(find(MEMORY_LIMIT, Path.of("deploy", "base", "deployment.yaml")));
    }

    private static String find(Pattern pattern, Path file) {
        try {
            var matcher = pattern.matcher(Files.readString(file));
            if (!matcher.find()) {
                throw new IllegalStateException(file + " does not match " + pattern);
            }
            return matcher.group(1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
