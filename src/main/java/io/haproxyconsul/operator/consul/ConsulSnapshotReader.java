package io.haproxyconsul.operator.consul;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.consul.ConsulClient;
import java.time.Duration;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads once, without watching, what a binding would see of Consul: the same questions and the same mapping as
 * {@link ConsulWatches}, for previews such as the render command.
 */
public final class ConsulSnapshotReader {

    private final ConsulClient client;
    private final Duration timeout;

    private ConsulSnapshotReader(ConsulClient client, Duration timeout) {
        this.client = client;
        this.timeout = timeout;
    }

    public static CatalogSnapshot read(Vertx vertx, ConsulEndpoint endpoint, ServiceSelector selector,
            List<String> kvPrefixes, Duration timeout) {
        var client = ConsulClient.create(vertx, endpoint.clientOptions().setTimeout(timeout.toMillis()));
        try {
            return new ConsulSnapshotReader(client, timeout).read(selector, kvPrefixes);
        } finally {
            client.close();
        }
    }

    private CatalogSnapshot read(ServiceSelector selector, List<String> kvPrefixes) {
        var catalog = ConsulAnswers.catalog(await(client.catalogServices()).getList());
        var services = new TreeMap<String, List<String>>();
        var instances = new TreeMap<String, List<ServiceInstance>>();
        for (var service : catalog.entrySet()) {
            if (selector.selects(service.getKey(), service.getValue())) {
                services.put(service.getKey(), service.getValue());
                instances.put(service.getKey(), ConsulAnswers.instances(await(client.healthServiceNodes(
                        service.getKey(), false)).getList()).stream().filter(selector::serves).toList());
            }
        }
        var kv = new TreeMap<String, String>();
        for (var prefix : kvPrefixes) {
            kv.putAll(ConsulAnswers.values(await(client.getValues(prefix + "/")).getList()));
        }
        return new CatalogSnapshot(services, instances, kv);
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
