package io.haproxyconsul.operator.consul;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.haproxyconsul.operator.consul.BlockingWatch.Answer;
import io.haproxyconsul.operator.consul.ServiceInstance.HealthStatus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.consul.BlockingQueryOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;

/**
 * The blocking query of every health check in the datacenter ({@code /v1/health/state/any}), read as a stream of
 * the five fields the mirror uses. The Vert.x Consul client builds a JSON tree of the whole answer first: at
 * 50,000 checks that is some 20 MB of text and several times that in objects, on every change of any check.
 */
final class HealthStateQuery implements AutoCloseable {

    private static final JsonFactory JSON = new JsonFactory();

    private final WebClient client;
    private final ConsulEndpoint endpoint;
    private final long timeoutMillis;

    /** One connection: the query is one long poll. */
    HealthStateQuery(Vertx vertx, ConsulEndpoint endpoint, long timeoutMillis) {
        this.endpoint = endpoint;
        this.client = WebClient.create(vertx, endpoint.clientOptions().setMaxPoolSize(1));
        this.timeoutMillis = timeoutMillis;
    }

    Future<Answer<HealthChecks>> ask(BlockingQueryOptions options) {
        var request = client.get(endpoint.port(), endpoint.address().getHost(), "/v1/health/state/any")
                .ssl(endpoint.https()).timeout(timeoutMillis)
                .addQueryParam("index", String.valueOf(options.getIndex())).addQueryParam("wait", options.getWait());
        if (endpoint.datacenter() != null) {
            request.addQueryParam("dc", endpoint.datacenter());
        }
        if (endpoint.token() != null) {
            request.putHeader("X-Consul-Token", endpoint.token());
        }
        return request.send().compose(response -> response.statusCode() == 200
                ? Future.succeededFuture(new Answer<>(parse(response.bodyAsBuffer()), index(response)))
                : Future.failedFuture("Consul answered " + response.statusCode() + ": " + response.bodyAsString()));
    }

    static HealthChecks parse(Buffer body) {
        var checks = new ArrayList<HealthChecks.Check>();
        try (JsonParser parser = JSON.createParser(body.getBytes())) {
            if (parser.nextToken() != JsonToken.START_ARRAY) {
                throw new IOException("not a list of checks");
            }
            while (parser.nextToken() == JsonToken.START_OBJECT) {
                String node = "";
                String checkId = "";
                String serviceId = "";
                String serviceName = "";
                String status = "";
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String field = parser.currentName();
                    parser.nextToken();
                    switch (field) {
                        case "Node" -> node = parser.getValueAsString("");
                        case "CheckID" -> checkId = parser.getValueAsString("");
                        case "ServiceID" -> serviceId = parser.getValueAsString("");
                        case "ServiceName" -> serviceName = parser.getValueAsString("");
                        case "Status" -> status = parser.getValueAsString("");
                        default -> parser.skipChildren();
                    }
                }
                checks.add(new HealthChecks.Check(node, checkId, serviceId, serviceName, status(status)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable health checks from Consul: " + e.getMessage(), e);
        }
        checks.sort(Comparator.comparing(HealthChecks.Check::node).thenComparing(HealthChecks.Check::checkId));
        return new HealthChecks(checks);
    }

    /** As Consul's health endpoint: anything but passing or warning (maintenance included) is critical. */
    private static HealthStatus status(String status) {
        return switch (status) {
            case "passing" -> HealthStatus.PASSING;
            case "warning" -> HealthStatus.WARNING;
            default -> HealthStatus.CRITICAL;
        };
    }

    private static long index(HttpResponse<Buffer> response) {
        String index = response.getHeader("X-Consul-Index");
        return index == null ? 0 : Long.parseLong(index);
    }

    @Override
    public void close() {
        client.close();
    }
}
