package io.haproxyconsul.operator.consul;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.haproxyconsul.operator.consul.BlockingWatch.Answer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
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
    private final Duration blockingWait;
    private final long timeoutMillis;

    /** One connection: the query is one long poll. */
    HealthStateQuery(Vertx vertx, ConsulEndpoint endpoint, Duration blockingWait, long timeoutMillis) {
        this.endpoint = endpoint;
        this.client = WebClient.create(vertx, endpoint.clientOptions().setMaxPoolSize(1));
        this.blockingWait = blockingWait;
        this.timeoutMillis = timeoutMillis;
    }

    /** Blocks at {@code index} unless it is 0. */
    Future<Answer<HealthChecks>> ask(long index) {
        return ConsulApi.get(client, endpoint, "/v1/health/state/any", index, blockingWait, timeoutMillis).send()
                .compose(response -> response.statusCode() == 200
                        ? Future.succeededFuture(new Answer<>(parse(response.bodyAsBuffer()), ConsulApi.index(response)))
                        : Future.failedFuture(new ConsulRefusal(response.statusCode(), response.bodyAsString())));
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
                checks.add(new HealthChecks.Check(node, checkId, serviceId, serviceName,
                        ConsulAnswers.health(status)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable health checks from Consul: " + e.getMessage(), e);
        }
        checks.sort(Comparator.comparing(HealthChecks.Check::node).thenComparing(HealthChecks.Check::checkId));
        return new HealthChecks(checks);
    }

    @Override
    public void close() {
        client.close();
    }
}
