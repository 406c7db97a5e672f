package io.haproxyconsul.operator.bench;

import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBindingSpec;
import io.haproxyconsul.operator.api.v1alpha1.RoutingSpec;
import io.haproxyconsul.operator.consul.CatalogSnapshot;
import io.haproxyconsul.operator.consul.ServiceInstance;
import io.haproxyconsul.operator.consul.ServiceInstance.HealthStatus;
import io.haproxyconsul.operator.model.RoutingModelBuilder;
import io.haproxyconsul.operator.render.ConfigRenderer;
import io.haproxyconsul.operator.render.RenderedConfig;
import io.haproxyconsul.operator.testenv.SyntheticCatalog;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
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
 * Each render follows one of another catalog, as after a change in Consul: {@code change=one} alternates two
 * catalogs that differ in one service's instances (the common case: the other backends' text is taken from the
 * render before), {@code change=every} two in which every instance's port differs (as a first render, which draws
 * every backend). Run with {@code bash bench/render.sh}. The renderer here resolves the model by reflection, where
 * the operator's Qute uses resolvers generated at build time: these figures are an upper bound.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
public class RenderBenchmark {

    @Param({"10", "100", "1000", "5000"})
    int services;

    @Param({"1", "10"})
    int instances;

    @Param({"one", "every"})
    String change;

    private HaproxyConsulBindingSpec spec;
    private CatalogSnapshot[] catalogs;
    private ConfigRenderer renderer;
    private int next;

    @Setup
    public void catalogs() {
        spec = new HaproxyConsulBindingSpec();
        spec.routing = new RoutingSpec();
        spec.routing.domain = "bench.test";
        var catalog = SyntheticCatalog.of(services, instances, List.of());
        catalogs = new CatalogSnapshot[] {catalog, change.equals("one") ? withOneMore(catalog) : onOtherPorts(catalog)};
        renderer = ConfigRenderer.standalone();
    }

    @Benchmark
    public RenderedConfig render() {
        next = 1 - next;
        return renderer.renderDefault(RoutingModelBuilder.build(spec, catalogs[next]));
    }

    /** The same catalog with one more instance of its middle service. */
    private static CatalogSnapshot withOneMore(CatalogSnapshot catalog) {
        var instances = new TreeMap<>(catalog.instances());
        String service = SyntheticCatalog.name(instances.size() / 2);
        var more = new ArrayList<>(instances.get(service));
        more.add(new ServiceInstance(service + "-more", "node-more", "127.255.255.1", 8080, List.of("http"),
                HealthStatus.PASSING));
        instances.put(service, more);
        return CatalogSnapshot.of(catalog.services(), instances, catalog.kv());
    }

    /** The same catalog with every instance on port 8081. */
    private static CatalogSnapshot onOtherPorts(CatalogSnapshot catalog) {
        var instances = new TreeMap<String, List<ServiceInstance>>();
        catalog.instances().forEach((service, list) -> instances.put(service, list.stream()
                .map(i -> new ServiceInstance(i.serviceId(), i.node(), i.address(), 8081, i.tags(), i.health()))
                .toList()));
        return CatalogSnapshot.of(catalog.services(), instances, catalog.kv());
    }
}
