package io.haproxyconsul.operator.testenv;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Working folders of the real parts, in the system temp folder: short paths, as Unix sockets need. */
public final class TempDirs {

    private static final Path ROOT = Path.of(System.getProperty("java.io.tmpdir"), "hco-testenv");

    private TempDirs() {
    }

    public static Path create(String prefix) {
        try {
            Files.createDirectories(ROOT);
            return Files.createTempDirectory(ROOT, prefix + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void delete(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
