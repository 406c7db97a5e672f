package io.haproxyconsul.operator.consul;

import io.haproxyconsul.operator.consul.CatalogView.Instances;
import io.haproxyconsul.operator.consul.CatalogView.Refused;
import io.haproxyconsul.operator.consul.CatalogView.ServiceRead;
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
 * same selection as {@link ConsulWatches}, for previews such as the render command. A service Consul cannot be
 * asked about, or refuses to answer for, is in the snapshot's {@code refused}; any other failure is an error.
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
        var reads = new TreeMap<String, ServiceRead>();
        catalog.forEach((name, tags) -> {
            if (selector.selects(name, tags)) {
                reads.put(name, read(name));
            }
        });
        var kv = new TreeMap<String, String>();
        for (var prefix : KvPrefixes.covering(kvPrefixes)) {
            kv.putAll(await(api.values(prefix, 0)).value());
        }
        return new CatalogView(true, catalog, reads, List.of(), Map.of()).snapshot(selector, kv).orElseThrow();
    }

    private ServiceRead read(String name) {
        var unaskable = ServiceNames.unaskable(name);
        if (unaskable.isPresent()) {
            return new Refused(unaskable.get());
        }
        try {
            return new Instances(await(api.instances(name)).value());
        } catch (IllegalStateException e) {
            if (e.getCause() instanceof ConsulRefusal refusal && refusal.refusesQuestion()) {
                return new Refused(refusal.getMessage());
            }
            throw e;
        }
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
