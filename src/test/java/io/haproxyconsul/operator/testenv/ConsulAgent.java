package io.haproxyconsul.operator.testenv;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.haproxyconsul.operator.consul.CatalogSnapshot;
import io.haproxyconsul.operator.consul.ServiceInstance;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * A real {@code consul agent -dev} on loopback, every port one the OS said was free, with the few HTTP calls tests
 * need to change what Consul reports.
 */
public final class ConsulAgent implements AutoCloseable {

    /** Consul refuses transactions of more than 128 operations (limits.txn_max_req_len aside). */
    private static final int TXN_OPERATIONS = 128;
    /** Longer than any test: a TTL check only changes when a test says so. */
    private static final String CHECK_TTL = "1h";
    /** A blocking query waits up to its {@code wait} plus 1/16 jitter; this bounds a request that never answers. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(2);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String node;
    private final ManagedProcess process;
    private final URI http;
    /** The management token every request of this helper carries, when ACLs are on. */
    private final String token;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    /** What Consul answered; {@code index} is its {@code X-Consul-Index} header, 0 when absent. */
    public record ConsulResponse(int status, String body, long index) {

        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("Consul answered " + status + " with no JSON: " + body, e);
            }
        }
    }

    private ConsulAgent(String node, ManagedProcess process, int httpPort, String token) {
        this.token = token;
        this.node = node;
        this.process = process;
        this.http = URI.create("http://127.0.0.1:" + httpPort);
    }

    /** Starts the agent and waits until it has elected itself leader and listed its own node in the catalog. */
    public static ConsulAgent start(Path consul) {
        return start(consul, List.of());
    }

    /** The same with more agent flags, e.g. {@code -hcl "limits { http_max_conns_per_client = 10000 }"}. */
    public static ConsulAgent start(Path consul, List<String> extraArguments) {
        return start(consul, extraArguments, null);
    }

    /**
     * An agent with ACLs on and everything denied by default; this helper's own requests carry the management
     * token, {@link #createToken} makes narrower ones.
     */
    public static ConsulAgent startWithAcls(Path consul) {
        String management = UUID.randomUUID().toString();
        return start(consul, List.of("-hcl", "acl { enabled = true, default_policy = \"deny\", tokens { "
                + "initial_management = \"" + management + "\", agent = \"" + management + "\" } }"), management);
    }

    /**
     * An agent that also listens on {@code address} (the node's bridge), for operators and pods on the node;
     * {@link #httpAddressOn} names it there.
     */
    public static ConsulAgent startReachableAt(Path consul, String address) {
        return start(consul, List.of("-client", "127.0.0.1 " + address), null);
    }

    /**
     * A fresh agent (another node, nothing registered, indexes from the start) at the HTTP address of
     * {@code previous}, which must have been closed: what its clients see when an agent is replaced. No ACLs.
     */
    public static ConsulAgent startInPlaceOf(Path consul, ConsulAgent previous) {
        return start(consul, List.of(), null, previous.http.getPort());
    }

    private static ConsulAgent start(Path consul, List<String> extraArguments, String token) {
        return start(consul, extraArguments, token, FreePorts.next());
    }

    private static ConsulAgent start(Path consul, List<String> extraArguments, String token, int httpPort) {
        String node = "hco-" + UUID.randomUUID().toString().substring(0, 8);
        Path dir = TempDirs.create("consul");
        var command = new ArrayList<>(List.of(consul.toString(), "agent", "-dev", "-node", node,
                "-bind", "127.0.0.1", "-client", "127.0.0.1",
                "-http-port", String.valueOf(httpPort),
                "-dns-port", String.valueOf(FreePorts.next()),
                "-grpc-port", String.valueOf(FreePorts.next()),
                "-grpc-tls-port", String.valueOf(FreePorts.next()),
                "-serf-lan-port", String.valueOf(FreePorts.next()),
                "-serf-wan-port", String.valueOf(FreePorts.next()),
                "-server-port", String.valueOf(FreePorts.next()),
                // loopback only: no call home to checkpoint.hashicorp.com
                "-hcl", "disable_update_check = true"));
        command.addAll(extraArguments);
        ConsulAgent agent = null;
        try {
            agent = new ConsulAgent(node, ManagedProcess.startOwning(dir, "consul", command, Map.of()), httpPort, token);
            agent.awaitReady();
            return agent;
        } catch (RuntimeException e) {
            if (agent != null) {
                agent.close();
            } else {
                TempDirs.delete(dir);
            }
            throw e;
        }
    }

    private void awaitReady() {
        await("consul agent " + node + " leader and catalog").atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(200))
                .ignoreExceptionsInstanceOf(UncheckedIOException.class)
                .until(() -> {
                    process.assertAlive();
                    var leader = get("/v1/status/leader");
                    return leader.status() == 200 && !leader.json().asText().isEmpty() && catalogListsOwnNode();
                });
    }

    private boolean catalogListsOwnNode() {
        var nodes = get("/v1/catalog/nodes");
        if (nodes.status() != 200) {
            return false;
        }
        for (JsonNode listed : nodes.json()) {
            if (node.equals(listed.path("Node").asText())) {
                return true;
            }
        }
        return false;
    }

    public String httpAddress() {
        return http.toString();
    }

    /** Its HTTP API at another address it listens on ({@link #startReachableAt}). */
    public String httpAddressOn(String address) {
        return "http://" + address + ":" + http.getPort();
    }

    public String nodeName() {
        return node;
    }

    /**
     * Registers a service instance through the local agent, with a passing TTL check whose id is
     * {@link #checkId(String) service:&lt;id&gt;}, so tests can flip its health.
     */
    public void registerService(String name, String id, List<String> tags, String address, int port) {
        var check = new LinkedHashMap<String, Object>();
        check.put("CheckID", checkId(id));
        check.put("Name", "ttl of " + id);
        check.put("TTL", CHECK_TTL);
        check.put("Status", "passing");
        var service = new LinkedHashMap<String, Object>();
        service.put("ID", id);
        service.put("Name", name);
        service.put("Tags", new ArrayList<>(tags));
        service.put("Address", address);
        service.put("Port", port);
        service.put("Check", check);
        expectOk(send("PUT", "/v1/agent/service/register", toJson(service)));
    }

    /** Registers an instance with no check of its own: Consul lists it in the catalog, never in the checks. */
    public void registerUncheckedService(String name, String id, String address, int port) {
        var service = new LinkedHashMap<String, Object>();
        service.put("ID", id);
        service.put("Name", name);
        service.put("Address", address);
        service.put("Port", port);
        expectOk(send("PUT", "/v1/agent/service/register", toJson(service)));
    }

    /**
     * Writes a whole catalog straight into Consul's catalog, many instances per transaction, each with a passing
     * check: thousands of services in seconds, where the agent API takes one request each. Their nodes are
     * external to this agent (its anti-entropy would remove services it does not run itself).
     */
    public void registerInCatalog(CatalogSnapshot catalog) {
        var operations = new ArrayList<Map<String, Object>>();
        catalog.instances().values().stream().flatMap(List::stream).map(ServiceInstance::node).distinct()
                .forEach(node -> operations.add(Map.of("Node", Map.of("Verb", "set",
                        "Node", Map.of("Node", node, "Address", "127.0.0.1")))));
        catalog.instances().forEach((name, instances) -> instances.forEach(instance -> {
            operations.add(Map.of("Service", Map.of("Verb", "set", "Node", instance.node(), "Service", Map.of(
                    "ID", instance.serviceId(), "Service", name, "Tags", instance.tags(),
                    "Address", instance.address(), "Port", instance.port()))));
            operations.add(Map.of("Check", Map.of("Verb", "set", "Check", Map.of("Node", instance.node(),
                    "CheckID", "check:" + instance.serviceId(), "Name", "check of " + instance.serviceId(),
                    "Status", "passing", "ServiceID", instance.serviceId()))));
        }));
        for (int from = 0; from < operations.size(); from += TXN_OPERATIONS) {
            var chunk = operations.subList(from, Math.min(operations.size(), from + TXN_OPERATIONS));
            expectOk(send("PUT", "/v1/txn", toJson(chunk)));
        }
    }

    /** Gives a node of the catalog (one of {@link #registerInCatalog}'s) a new address, its services kept. */
    public void setNodeAddress(String node, String address) {
        expectOk(send("PUT", "/v1/catalog/register", toJson(Map.of("Node", node, "Address", address))));
    }

    /** A token with these ACL rules (HCL), e.g. {@code service_prefix "" { policy = "read" }}; its secret. */
    public String createToken(String rules) {
        var policy = send("PUT", "/v1/acl/policy", toJson(Map.of("Name", "p-" + UUID.randomUUID(), "Rules", rules)));
        expectOk(policy);
        var created = send("PUT", "/v1/acl/token", toJson(Map.of("Policies",
                List.of(Map.of("ID", policy.json().path("ID").asText())))));
        expectOk(created);
        return created.json().path("SecretID").asText();
    }

    /** The id Consul gives the check of a service registered here. */
    public static String checkId(String serviceId) {
        return "service:" + serviceId;
    }

    public void passCheck(String serviceId) {
        expectOk(send("PUT", "/v1/agent/check/pass/" + checkId(serviceId), ""));
    }

    public void warnCheck(String serviceId) {
        expectOk(send("PUT", "/v1/agent/check/warn/" + checkId(serviceId), ""));
    }

    public void failCheck(String serviceId) {
        expectOk(send("PUT", "/v1/agent/check/fail/" + checkId(serviceId), ""));
    }

    public void deregister(String serviceId) {
        expectOk(send("PUT", "/v1/agent/service/deregister/" + serviceId, ""));
    }

    public void kvPut(String key, String value) {
        expectOk(send("PUT", "/v1/kv/" + key, value));
    }

    public void kvDelete(String key) {
        expectOk(send("DELETE", "/v1/kv/" + key, ""));
    }

    /** A GET of {@code pathAndQuery} (e.g. {@code /v1/health/service/web?index=12&wait=30s}). */
    public ConsulResponse get(String pathAndQuery) {
        return send("GET", pathAndQuery, null);
    }

    /** A GET answered in the background: for blocking queries, which return only when Consul's index moves. */
    public CompletableFuture<ConsulResponse> getAsync(String pathAndQuery) {
        return client.sendAsync(request("GET", pathAndQuery, null), HttpResponse.BodyHandlers.ofString())
                .thenApply(ConsulAgent::toResponse);
    }

    private ConsulResponse send(String method, String pathAndQuery, String body) {
        try {
            return toResponse(client.send(request(method, pathAndQuery, body), HttpResponse.BodyHandlers.ofString()));
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + pathAndQuery + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during " + method + " " + pathAndQuery, e);
        }
    }

    private HttpRequest request(String method, String pathAndQuery, String body) {
        var publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8);
        var request = HttpRequest.newBuilder(http.resolve(pathAndQuery)).timeout(REQUEST_TIMEOUT)
                .method(method, publisher);
        if (token != null) {
            request.header("X-Consul-Token", token);
        }
        return request.build();
    }

    private static ConsulResponse toResponse(HttpResponse<String> response) {
        long index = response.headers().firstValue("X-Consul-Index").map(Long::parseLong).orElse(0L);
        return new ConsulResponse(response.statusCode(), response.body(), index);
    }

    private static void expectOk(ConsulResponse response) {
        if (response.status() != 200) {
            throw new IllegalStateException("Consul answered " + response.status() + ": " + response.body());
        }
    }

    private static String toJson(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Override
    public void close() {
        process.close();
    }

    @Override
    public String toString() {
        return "consul agent " + node + " at " + http;
    }
}
