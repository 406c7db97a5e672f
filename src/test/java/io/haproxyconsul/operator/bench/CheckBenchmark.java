package io.haproxyconsul.operator.bench;

import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBindingSpec;
import io.haproxyconsul.operator.api.v1alpha1.RoutingSpec;
import io.haproxyconsul.operator.model.RoutingModelBuilder;
import io.haproxyconsul.operator.render.ConfigRenderer;
import io.haproxyconsul.operator.testenv.HaproxyProcess;
import io.haproxyconsul.operator.testenv.RealParts;
import io.haproxyconsul.operator.testenv.RealParts.Part;
import io.haproxyconsul.operator.testenv.SyntheticCatalog;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code haproxy -c} of the operator's configuration for 5,000 services of 10 instances, as the operator runs it
 * before publishing and each pod's init step before loading. Started by {@code bench/check.sh}; prints one row.
 */
public final class CheckBenchmark {

    private static final int RUNS = 3;

    private CheckBenchmark() {
    }

    public static void main(String[] args) {
        int services = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int instances = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        var spec = new HaproxyConsulBindingSpec();
        spec.routing = new RoutingSpec();
        spec.routing.domain = "bench.test";
        String config = ConfigRenderer.standalone().renderDefault(RoutingModelBuilder.build(spec,
                SyntheticCatalog.of(services, instances, List.of()))).text();
        var haproxy = RealParts.require(Part.HAPROXY);
        var seconds = new ArrayList<String>();
        for (int run = 0; run < RUNS; run++) {
            long start = System.nanoTime();
            var result = HaproxyProcess.check(haproxy, config);
            if (result.exitCode() != 0) {
                throw new IllegalStateException("haproxy -c refused the configuration: " + result.output());
            }
            seconds.add(String.format(Locale.ROOT, "%.2f s", (System.nanoTime() - start) / 1e9));
        }
        System.out.printf(Locale.ROOT, "| %d × %d | %.2f MB | %s |%n", services, instances,
                config.length() / 1e6, String.join(", ", seconds));
    }
}
