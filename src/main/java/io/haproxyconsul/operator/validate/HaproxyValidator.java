package io.haproxyconsul.operator.validate;

import io.haproxyconsul.operator.config.OperatorConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Runs the real {@code haproxy -c} on a candidate before anything is published. */
@ApplicationScoped
public class HaproxyValidator {

    /**
     * The stats listener reads its credentials from these variables in the pods; any value lets the check parse
     * the line.
     */
    private static final String[] CHECK_ENVIRONMENT = {"STATS_USERNAME", "check", "STATS_PASSWORD", "check"};

    private final Path binary;
    private final long timeoutMillis;

    @Inject
    public HaproxyValidator(OperatorConfig config) {
        this(config.haproxy().binary(), config.haproxy().validationTimeout().toMillis());
    }

    public HaproxyValidator(Path binary, long timeoutMillis) {
        this.binary = binary;
        this.timeoutMillis = timeoutMillis;
    }

    public ValidationResult validate(String config) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("haproxy-check");
            Path file = dir.resolve("haproxy.cfg");
            Files.writeString(file, config, StandardCharsets.UTF_8);
            var builder = new ProcessBuilder(binary.toString(), "-c", "-f", file.toString()).redirectErrorStream(true);
            for (int i = 0; i < CHECK_ENVIRONMENT.length; i += 2) {
                builder.environment().put(CHECK_ENVIRONMENT[i], CHECK_ENVIRONMENT[i + 1]);
            }
            var process = builder.start();
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                return new ValidationResult(false, "haproxy -c did not finish within " + timeoutMillis + " ms");
            }
            String output = new String(out, StandardCharsets.UTF_8).replace(file.toString(), "haproxy.cfg");
            if (process.exitValue() == 0) {
                return new ValidationResult(true, null);
            }
            return new ValidationResult(false, HaproxyOutput.firstAlert(output));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + binary + " -c", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while validating", e);
        } finally {
            deleteQuietly(dir);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temp directory is harmless
        }
    }
}
