package io.haproxyconsul.operator.consul;

import io.haproxyconsul.operator.consul.BlockingWatch.Answer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The reads the operator makes of Consul's HTTP API, over one pool of connections: the catalog's service list and
 * KV prefixes by blocking query, one service's instances at once. Any status but 200 fails with a
 * {@link ConsulRefusal} that keeps it, so that a service Consul will not answer for is told apart from a Consul
 * that cannot be reached.
 */
final class ConsulApi implements AutoCloseable {

    private final WebClient client;
    private final ConsulEndpoint endpoint;
    private final Duration blockingWait;
    private final long timeoutMillis;

    /** @param timeoutMillis longer than {@code blockingWait}, which Consul may exceed by 1/16 */
    ConsulApi(Vertx vertx, ConsulEndpoint endpoint, int connections, Duration blockingWait, long timeoutMillis) {
        this.client = WebClient.create(vertx, endpoint.clientOptions().setMaxPoolSize(connections));
        this.endpoint = endpoint;
        this.blockingWait = blockingWait;
        this.timeoutMillis = timeoutMillis;
    }

    /** Service name → tags; blocks at {@code index} unless it is 0. */
    Future<Answer<Map<String, List<String>>>> services(long index) {
        return send(get(client, endpoint, "/v1/catalog/services", index, blockingWait, timeoutMillis),
                body -> ConsulAnswers.catalog(body.toJsonObject()));
    }

    /** Key → value of every key under {@code prefix}/; blocks at {@code index} unless it is 0. */
    Future<Answer<Map<String, String>>> values(String prefix, long index) {
        var request = get(client, endpoint, "/v1/kv/" + path(prefix) + "/", index, blockingWait, timeoutMillis)
                .addQueryParam("recurse", "");
        return request.send().compose(response -> response.statusCode() == 404
                // No key under the prefix: Consul says so with 404, and an index to block on all the same.
                ? Future.succeededFuture(new Answer<>(Map.of(), index(response)))
                : answer(response, body -> ConsulAnswers.values(body.toJsonArray())));
    }

    /** The instances of one service, each with the worst of its checks, at once. */
    Future<Answer<List<ServiceInstance>>> instances(String service) {
        return send(get(client, endpoint, "/v1/health/service/" + segment(service), 0, blockingWait, timeoutMillis),
                body -> ConsulAnswers.instances(body.toJsonArray()));
    }

    private static <T> Future<Answer<T>> send(HttpRequest<Buffer> request, Function<Buffer, T> parse) {
        return request.send().compose(response -> answer(response, parse));
    }

    private static <T> Future<Answer<T>> answer(HttpResponse<Buffer> response, Function<Buffer, T> parse) {
        if (response.statusCode() != 200) {
            return Future.failedFuture(new ConsulRefusal(response.statusCode(), response.bodyAsString()));
        }
        return Future.succeededFuture(new Answer<>(parse.apply(response.bodyAsBuffer()), index(response)));
    }

    /** A GET of {@code path} with the endpoint's datacenter and token, blocking at {@code index} unless it is 0. */
    static HttpRequest<Buffer> get(WebClient client, ConsulEndpoint endpoint, String path, long index,
            Duration blockingWait, long timeoutMillis) {
        var request = client.get(endpoint.port(), endpoint.address().getHost(), path).ssl(endpoint.https())
                .timeout(timeoutMillis);
        if (index > 0) {
            request.addQueryParam("index", String.valueOf(index)).addQueryParam("wait",
                    blockingWait.toSeconds() + "s");
        }
        if (endpoint.datacenter() != null) {
            request.addQueryParam("dc", endpoint.datacenter());
        }
        if (endpoint.token() != null) {
            request.putHeader("X-Consul-Token", endpoint.token());
        }
        return request;
    }

    /** Consul's {@code X-Consul-Index}, 0 when absent. */
    static long index(HttpResponse<Buffer> response) {
        String index = response.getHeader("X-Consul-Index");
        return index == null ? 0 : Long.parseLong(index);
    }

    /** A KV prefix as a URL path: each of its segments escaped. */
    private static String path(String prefix) {
        return String.join("/", java.util.Arrays.stream(prefix.split("/", -1)).map(ConsulApi::segment).toList());
    }

    /** One URL path segment: every byte but RFC 3986's unreserved characters percent-escaped. */
    static String segment(String value) {
        var escaped = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
                escaped.append(c);
            } else {
                escaped.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return escaped.toString();
    }

    @Override
    public void close() {
        client.close();
    }
}
