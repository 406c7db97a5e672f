package io.haproxyconsul.operator.testenv;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A real part running as a child process, its output in a log file. Closing it stops the process (SIGTERM, then
 * SIGKILL); a JVM shutdown hook stops whatever a crashed test left running.
 */
public final class ManagedProcess implements AutoCloseable {

    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly)));
    }

    private final String name;
    private final Process process;
    private final Path log;
    private Path ownedDir;

    private ManagedProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** Starts it in a temp folder of its own, deleted when it is closed. */
    public static ManagedProcess startInOwnDir(String name, List<String> command, Map<String, String> env) {
        return startOwning(TempDirs.create(name), name, command, env);
    }

    /** Starts it in {@code dir} (from {@link TempDirs}, prepared by the caller), deleted when it is closed. */
    public static ManagedProcess startOwning(Path dir, String name, List<String> command, Map<String, String> env) {
        var process = start(name, command, dir, env);
        process.ownedDir = dir;
        return process;
    }

    public static ManagedProcess start(String name, List<String> command, Path workDir, Map<String, String> env) {
        Path log = workDir.resolve(name + ".log");
        try {
            Files.createDirectories(workDir);
            var builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            builder.environment().putAll(env);
            var process = builder.start();
            RUNNING.add(process);
            return new ManagedProcess(name, process, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + command, e);
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    /** The last lines of the log, for failure messages. */
    public String tail(int lines) {
        try {
            var all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Fails with the log's tail when the process has exited. */
    public void assertAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " exited with " + process.exitValue() + "; last lines of " + log
                    + ":\n" + tail(30));
        }
    }

    /** Completes when the process has ended, however it ended. */
    public CompletableFuture<Process> onExit() {
        return process.onExit();
    }

    /** Sends SIGKILL, as a crash ends a process, and waits for it to end. */
    public void kill() {
        try {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            RUNNING.remove(process);
        }
    }

    /** Sends a signal by name, e.g. STOP to freeze the process and CONT to let it go on. */
    public void signal(String name) {
        CommandResult.run(List.of("kill", "-" + name, String.valueOf(process.pid())), log.getParent(),
                Duration.ofSeconds(10)).assertSuccess();
    }

    /** Waits up to {@code timeout} for the process to end by itself: its exit code, or empty while it still runs. */
    public OptionalInt awaitExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? OptionalInt.of(process.exitValue())
                    : OptionalInt.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + name + " to exit", e);
        }
    }

    /** Sends SIGTERM and waits for the process to end (SIGKILL after the grace period). */
    public int stop(Duration grace) {
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        } finally {
            RUNNING.remove(process);
        }
        return process.isAlive() ? -1 : process.exitValue();
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(10));
        TempDirs.delete(ownedDir);
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }
}
