package io.haproxyconsul.operator.consul;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads once, without watching, what a binding would see of Consul: the same questions, the same mapping and the
 * same selection as {@link ConsulWatches}, for previews such as the render command.
 */
public final class ConsulSnapshotReader {

    private final ConsulApi api;
    private final Duration timeout;

    private ConsulSnapshotReader(ConsulApi api, Duration timeout) {
        this.api = api;
        this.timeout = timeout;
    }

    public static CatalogSnapshot read(Vertx vertx, ConsulEndpoint endpoint, ServiceSelector selector,
            List<String> kvPrefixes, Duration timeout) {
        try (var api = new ConsulApi(vertx, endpoint, 1, timeout, timeout.toMillis())) {
            return new ConsulSnapshotReader(api, timeout).read(selector, kvPrefixes);
        }
    }

    private CatalogSnapshot read(ServiceSelector selector, List<String> kvPrefixes) {
        var catalog = await(api.services(0)).value();
        var reads = new TreeMap<String, List<ServiceInstance>>();
        catalog.forEach((name, tags) -> {
            if (selector.selects(name, tags)) {
                reads.put(name, await(api.instances(name)).value());
            }
        });
        var kv = new TreeMap<String, String>();
        for (var prefix : kvPrefixes) {
            kv.putAll(await(api.values(prefix, 0)).value());
        }
        return new CatalogView(true, catalog, reads, List.of(), Map.of()).snapshot(selector, kv).orElseThrow();
    }

    private <T> T await(Future<T> answer) {
        try {
            return answer.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Consul: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Consul did not answer within " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
