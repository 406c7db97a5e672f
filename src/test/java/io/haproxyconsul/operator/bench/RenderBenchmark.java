package io.haproxyconsul.operator.bench;

import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBindingSpec;
import io.haproxyconsul.operator.api.v1alpha1.RoutingSpec;
import io.haproxyconsul.operator.consul.CatalogSnapshot;
import io.haproxyconsul.operator.model.RoutingModelBuilder;
import io.haproxyconsul.operator.render.ConfigRenderer;
import io.haproxyconsul.operator.render.RenderedConfig;
import io.haproxyconsul.operator.testenv.SyntheticCatalog;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Catalog to haproxy.cfg, as the operator does it on each change: routing model, then the built-in template.
 * Run with {@code bash bench/render.sh}. The renderer here resolves the model by reflection, where the operator's
 * Qute uses resolvers generated at build time: these figures are an upper bound.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
public class RenderBenchmark {

    @Param({"10", "100", "1000", "5000"})
    int services;

    @Param({"1", "10"})
    int instances;

    private HaproxyConsulBindingSpec spec;
    private CatalogSnapshot catalog;
    private ConfigRenderer renderer;

    @Setup
    public void catalog() {
        spec = new HaproxyConsulBindingSpec();
        spec.routing = new RoutingSpec();
        spec.routing.domain = "bench.test";
        catalog = SyntheticCatalog.of(services, instances, List.of());
        renderer = ConfigRenderer.standalone();
    }

    @Benchmark
    public RenderedConfig render() {
        return renderer.renderDefault(RoutingModelBuilder.build(spec, catalog));
    }
}
