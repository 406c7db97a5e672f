package io.haproxyconsul.operator.reconciler;

import io.haproxyconsul.operator.api.v1alpha1.DebounceSpec;
import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBinding;
import io.haproxyconsul.operator.consul.CatalogSnapshot;
import io.haproxyconsul.operator.consul.ConsulQuestion;
import io.haproxyconsul.operator.consul.ConsulWatches;
import io.haproxyconsul.operator.consul.Debouncer;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Delivers Consul changes to the reconciler as JOSDK events, debounced per binding, and offers each binding's
 * latest {@link CatalogSnapshot} as its secondary resource.
 */
public class ConsulChangeEventSource extends AbstractEventSource<CatalogSnapshot, HaproxyConsulBinding> {

    private final ConsulWatches watches;
    private final Debouncer<ResourceID> debouncer;
    /** Read at each change, so a new debounce in the spec applies without restarting the watches. */
    private final Map<ResourceID, DebounceSpec> debounces = new ConcurrentHashMap<>();

    public ConsulChangeEventSource(ConsulWatches watches, Vertx vertx) {
        super(CatalogSnapshot.class, "consul");
        this.watches = watches;
        this.debouncer = new Debouncer<>((delay, task) -> {
            long timer = vertx.setTimer(Math.max(1, delay.toMillis()), id -> task.run());
            return () -> vertx.cancelTimer(timer);
        }, System::nanoTime);
    }

    /** Watches what the binding asks (a no-op when the question is unchanged). */
    public void follow(ResourceID binding, ConsulQuestion question, DebounceSpec debounce) {
        debounces.put(binding, debounce);
        watches.subscribe(binding, question, () -> {
            var current = debounces.getOrDefault(binding, debounce);
            debouncer.signal(binding, current.minDuration(), current.maxDuration(), () -> {
                if (isRunning()) {
                    getEventHandler().handleEvent(new Event(binding));
                }
            });
        });
    }

    public void forget(ResourceID binding) {
        watches.unsubscribe(binding);
        debounces.remove(binding);
        debouncer.forget(binding);
    }

    public java.util.Optional<String> unreachable(ResourceID binding) {
        return watches.unreachable(binding);
    }

    @Override
    public Set<CatalogSnapshot> getSecondaryResources(HaproxyConsulBinding binding) {
        return watches.snapshot(ResourceID.fromResource(binding)).map(Set::of).orElse(Set.of());
    }
}
