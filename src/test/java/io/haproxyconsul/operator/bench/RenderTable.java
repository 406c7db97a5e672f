package io.haproxyconsul.operator.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBindingSpec;
import io.haproxyconsul.operator.api.v1alpha1.RoutingSpec;
import io.haproxyconsul.operator.model.RoutingModelBuilder;
import io.haproxyconsul.operator.render.ConfigRenderer;
import io.haproxyconsul.operator.testenv.SyntheticCatalog;
import java.io.File;
import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * {@link RenderBenchmark}'s JMH results (JSON) as the Markdown table of bench/README.md: time per render, and bytes
 * allocated per render and per byte of the configuration it makes. Started by {@code bench/render.sh}.
 */
public final class RenderTable {

    private RenderTable() {
    }

    public static void main(String[] args) throws IOException {
        System.out.println("| services × instances | change | p50 ms | p95 ms | allocated per render MB | "
                + "configuration MB | allocated per byte |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- |");
        for (JsonNode result : new ObjectMapper().readTree(new File(args[0]))) {
            var params = result.path("params");
            int services = params.path("services").asInt();
            int instances = params.path("instances").asInt();
            var percentiles = result.path("primaryMetric").path("scorePercentiles");
            double allocated = result.path("secondaryMetrics").path("gc.alloc.rate.norm").path("score").asDouble();
            long bytes = configurationBytes(services, instances);
            System.out.printf(Locale.ROOT, "| %,d × %d | %s | %.2f | %.2f | %.1f | %.2f | %.1f |%n", services,
                    instances, params.path("change").asText(), percentiles.path("50.0").asDouble(),
                    percentiles.path("95.0").asDouble(), allocated / 1e6, bytes / 1e6, allocated / bytes);
        }
    }

    private static long configurationBytes(int services, int instances) {
        var spec = new HaproxyConsulBindingSpec();
        spec.routing = new RoutingSpec();
        spec.routing.domain = "bench.test";
        return ConfigRenderer.standalone().renderDefault(RoutingModelBuilder.build(spec,
                SyntheticCatalog.of(services, instances, List.of()))).bytes();
    }
}
