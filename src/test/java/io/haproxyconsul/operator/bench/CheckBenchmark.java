package io.haproxyconsul.operator.bench;

import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBindingSpec;
import io.haproxyconsul.operator.api.v1alpha1.RoutingSpec;
import io.haproxyconsul.operator.model.RoutingModelBuilder;
import io.haproxyconsul.operator.render.CheckCopy;
import io.haproxyconsul.operator.render.ConfigRenderer;
import io.haproxyconsul.operator.testenv.RealParts;
import io.haproxyconsul.operator.testenv.RealParts.Part;
import io.haproxyconsul.operator.testenv.SyntheticCatalog;
import io.haproxyconsul.operator.testenv.TempDirs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code haproxy -c} of the operator's configuration for 5,000 services of 10 instances: the whole of it, as each
 * pod's init step checks it before loading, and the check copy the operator checks before publishing (one server
 * line of each kind per backend). Time and peak memory ({@code /usr/bin/time}), three runs each. Started by
 * {@code bench/check.sh}; prints a table.
 */
public final class CheckBenchmark {

    private static final int RUNS = 3;

    private CheckBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int services = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int instances = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        var spec = new HaproxyConsulBindingSpec();
        spec.routing = new RoutingSpec();
        spec.routing.domain = "bench.test";
        var config = ConfigRenderer.standalone().renderDefault(RoutingModelBuilder.build(spec,
                SyntheticCatalog.of(services, instances, List.of())));
        Path dir = TempDirs.create("check-benchmark");
        try {
            System.out.println("| services × instances | haproxy -c reads | server lines | seconds, three runs | "
                    + "peak memory MB |");
            System.out.println("| --- | --- | --- | --- | --- |");
            row(services, instances, "the configuration (pods' init step)", config.text(), dir);
            row(services, instances, "its check copy (the operator)", CheckCopy.of(config.text(),
                    config.structure().runtimeBackends()), dir);
        } finally {
            TempDirs.delete(dir);
        }
    }

    private static void row(int services, int instances, String what, String text, Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("haproxy.cfg"), text);
        var seconds = new ArrayList<String>();
        long peakKb = 0;
        for (int run = 0; run < RUNS; run++) {
            String[] measured = check(file, dir).split(" ");
            seconds.add(measured[0]);
            peakKb = Math.max(peakKb, Long.parseLong(measured[1]));
        }
        long servers = text.lines().filter(line -> line.stripLeading().startsWith("server ")).count();
        System.out.printf(Locale.ROOT, "| %,d × %d | %s | %,d | %s | %d |%n", services, instances, what, servers,
                String.join(", ", seconds), peakKb / 1024);
    }

    /** {@code <elapsed seconds> <peak RSS kB>} of one {@code haproxy -c}, which must accept the file. */
    private static String check(Path file, Path dir) throws IOException, InterruptedException {
        Path measured = dir.resolve("time.txt");
        var process = new ProcessBuilder("/usr/bin/time", "-o", measured.toString(), "-f", "%e %M",
                RealParts.require(Part.HAPROXY).toString(), "-c", "-q", "-f", file.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("check.log").toFile()).start();
        if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new IllegalStateException("haproxy -c refused or did not finish: "
                    + Files.readString(dir.resolve("check.log")));
        }
        return Files.readString(measured).strip();
    }
}
