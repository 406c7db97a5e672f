package io.haproxyconsul.operator.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.function.Supplier;

/**
 * The operator's own figures on /q/metrics, beside the Operator SDK's reconcile metrics: how long rendering and
 * validation take, what was published, refused, rolled out and rolled back, and how Consul answers.
 */
@ApplicationScoped
public class OperatorMetrics {

    private final MeterRegistry registry;

    public OperatorMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public <T> T timeRender(Supplier<T> render) {
        return Timer.builder("hco.render").description("Rendering a configuration with Qute").register(registry)
                .record(render);
    }

    public <T> T timeValidation(Supplier<T> validation) {
        return Timer.builder("hco.validation").description("haproxy -c on a candidate configuration")
                .register(registry).record(validation);
    }

    public <T> T timeConfigMapWrite(Supplier<T> write) {
        return Timer.builder("hco.configmap.write").description("Writing a configuration's ConfigMap")
                .register(registry).record(write);
    }

    /** A candidate differing from an accepted configuration only in servers the model checked: no haproxy -c. */
    public void validationSkipped() {
        registry.counter("hco.validation.skipped").increment();
    }

    public void configPublished() {
        registry.counter("hco.configs.published").increment();
    }

    public void validationFailed(String where) {
        registry.counter("hco.validation.failures", "where", where).increment();
    }

    public void rolloutStarted() {
        registry.counter("hco.rollouts.started").increment();
    }

    public void rolloutCompleted() {
        registry.counter("hco.rollouts.completed").increment();
    }

    public void rolledBack() {
        registry.counter("hco.rollouts.rolledback").increment();
    }

    /** A structural change: the Deployment's pods are replaced, one at a time. */
    public void podsReplaced(int pods) {
        registry.counter("hco.pods.replaced").increment(pods);
    }

    /** A batch of Runtime API commands that brought one pod's servers up to date, without a reload. */
    public void runtimeUpdated(int commands) {
        registry.counter("hco.runtime.updates").increment();
        registry.counter("hco.runtime.commands").increment(commands);
    }

    public void runtimeUpdateFailed() {
        registry.counter("hco.runtime.failures").increment();
    }

    public void consulAnswered(String kind, long nanos) {
        Timer.builder("hco.consul.query").description("Consul blocking queries, from request to answer")
                .tag("kind", kind).register(registry).record(java.time.Duration.ofNanos(nanos));
    }

    public void consulFailed(String kind) {
        registry.counter("hco.consul.errors", "kind", kind).increment();
    }
}
