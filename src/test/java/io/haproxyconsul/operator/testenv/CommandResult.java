package io.haproxyconsul.operator.testenv;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The exit code and combined output of a command that ran to its end. */
public record CommandResult(int exitCode, String output) {

    public static CommandResult run(List<String> command, Path workDir, Duration timeout) {
        Path out = null;
        try {
            out = Files.createTempFile("command", ".out");
            var process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File(
                            "/dev/null"))).start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(command + " did not finish within " + timeout + ":\n"
                        + Files.readString(out, StandardCharsets.UTF_8));
            }
            return new CommandResult(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            if (out != null) {
                out.toFile().delete();
            }
        }
    }

    public CommandResult assertSuccess() {
        if (exitCode != 0) {
            throw new AssertionError("command failed with exit code " + exitCode + ":\n" + output);
        }
        return this;
    }
}
