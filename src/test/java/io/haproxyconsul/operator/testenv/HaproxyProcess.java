package io.haproxyconsul.operator.testenv;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real HAProxy in master-worker mode ({@code -W -db}), its master CLI on a Unix socket in its own temp folder, so
 * tests can reload it the way the pods do.
 */
public final class HaproxyProcess implements AutoCloseable {

    /** The master's line of {@code show proc}: {@code <pid> master <reloads> [failed: <n>] ...}. */
    private static final Pattern MASTER_LINE = Pattern.compile("(?m)^\\d+\\s+master\\s+(\\d+) \\[failed: (\\d+)\\]");
    private static final Duration STARTUP = Duration.ofMinutes(1);

    private final Path dir;
    private final Path config;
    private final Path masterSocket;
    private final ManagedProcess process;

    /** What {@code haproxy -c} said; {@code firstAlert} is its first {@code [ALERT]} line, null when it had none. */
    public record CheckResult(int exitCode, String output, String firstAlert) {

        public boolean valid() {
            return exitCode == 0;
        }
    }

    private HaproxyProcess(Path dir, Path config, Path masterSocket, ManagedProcess process) {
        this.dir = dir;
        this.config = config;
        this.masterSocket = masterSocket;
        this.process = process;
    }

    /**
     * Starts HAProxy on {@code configText} and waits until {@code frontendPort} (bound by that config) accepts and
     * the master CLI answers: the worker may serve before the master listens on its socket.
     */
    public static HaproxyProcess start(Path haproxy, String configText, int frontendPort) {
        Path dir = TempDirs.create("haproxy");
        HaproxyProcess started = null;
        try {
            Path config = write(dir, configText);
            Path socket = dir.resolve("master.sock");
            var command = List.of(haproxy.toString(), "-W", "-db", "-S", socket.toString(), "-f", config.toString());
            var process = ManagedProcess.startOwning(dir, "haproxy", command, Map.of());
            started = new HaproxyProcess(dir, config, socket, process);
            started.awaitAccepting(frontendPort);
            started.awaitMasterCli();
            return started;
        } catch (RuntimeException e) {
            if (started != null) {
                started.close();
            } else {
                TempDirs.delete(dir);
            }
            throw e;
        }
    }

    private void awaitAccepting(int port) {
        await("haproxy accepting on 127.0.0.1:" + port).atMost(STARTUP).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    process.assertAlive();
                    return accepts(port);
                });
    }

    private void awaitMasterCli() {
        await("haproxy master CLI answering on " + masterSocket).atMost(STARTUP).pollInterval(Duration.ofMillis(50))
                .ignoreExceptionsInstanceOf(UncheckedIOException.class).until(() -> {
                    process.assertAlive();
                    return masterStatus() != null;
                });
    }

    private static boolean accepts(int port) {
        try (var socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Replaces the config file and reloads through the master CLI, as the pods do; returns once the master has
     * started a worker on the new config. Fails with HAProxy's log when the master rejected it (the old worker then
     * keeps serving).
     */
    public void reload(String newConfigText) {
        write(dir, newConfigText);
        int reloadsBefore = Integer.parseInt(masterStatus().group(1));
        masterCli("reload");
        // The master re-executes itself; its CLI answers again once the new config was loaded or refused.
        Matcher after = await("haproxy master reloaded").atMost(STARTUP).pollInterval(Duration.ofMillis(100))
                .ignoreExceptionsInstanceOf(UncheckedIOException.class)
                .until(this::masterStatus, status -> Integer.parseInt(status.group(1)) > reloadsBefore);
        if (Integer.parseInt(after.group(2)) > 0) {
            throw new IllegalStateException("haproxy refused the new config; last lines of " + process.log() + ":\n"
                    + process.tail(20));
        }
    }

    private Matcher masterStatus() {
        String procs = masterCli("show proc");
        Matcher master = MASTER_LINE.matcher(procs);
        if (!master.find()) {
            throw new IllegalStateException("no master line in `show proc`:\n" + procs);
        }
        return master;
    }

    /** The file it loads at every reload. */
    public Path config() {
        return config;
    }

    /** The master's process ID: {@code kill -USR2} reloads it, as the seed's scripts did. */
    public long pid() {
        return process.pid();
    }

    /** One command on the master CLI; HAProxy 2.6 answers once the client half-closes. */
    public String masterCli(String command) {
        try (var channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(masterSocket));
            channel.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.UTF_8)));
            channel.shutdownOutput();
            return new String(Channels.newInputStream(channel).readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("master CLI `" + command + "` on " + masterSocket + " failed", e);
        }
    }

    /** Runs {@code haproxy -c -f} on {@code configText}, written to a temp folder deleted afterwards. */
    public static CheckResult check(Path haproxy, String configText) {
        Path dir = TempDirs.create("haproxy-check");
        try {
            Path config = write(dir, configText);
            Path log = dir.resolve("check.log");
            var process = new ProcessBuilder(haproxy.toString(), "-c", "-f", config.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!process.waitFor(1, TimeUnit.MINUTES)) {
                process.destroyForcibly().waitFor();
                throw new IllegalStateException("haproxy -c did not finish:\n" + Files.readString(log));
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            String firstAlert = output.lines().filter(line -> line.startsWith("[ALERT]")).findFirst().orElse(null);
            return new CheckResult(process.exitValue(), output, firstAlert);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + haproxy + " -c", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running haproxy -c", e);
        } finally {
            TempDirs.delete(dir);
        }
    }

    private static Path write(Path dir, String configText) {
        try {
            return Files.writeString(dir.resolve("haproxy.cfg"), configText, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        process.close();
    }

    @Override
    public String toString() {
        return "haproxy " + process + " on " + config;
    }
}
