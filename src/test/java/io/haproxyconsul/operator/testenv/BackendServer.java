package io.haproxyconsul.operator.testenv;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A service instance behind HAProxy: answers every request (HAProxy's health checks included, whatever their method)
 * with 200 and a body saying who it is and what it received, e.g.
 * {@code identity=web-1 path=/foo host=shop xff=127.0.0.1}, and remembers each request line.
 * Like a Java application server, it opens a session with a {@code JSESSIONID} cookie when the request has none,
 * which is what HAProxy's {@code cookie JSESSIONID prefix} stickiness works on.
 */
public final class BackendServer implements AutoCloseable {

    private final String identity;
    private final HttpServer server;
    private final String address;
    private final List<String> requests = new CopyOnWriteArrayList<>();

    private BackendServer(String identity, HttpServer server, String address) {
        this.identity = identity;
        this.server = server;
        this.address = address;
    }

    /** Listens on a loopback port the OS picks. */
    public static BackendServer start(String identity) {
        return start(identity, InetAddress.getLoopbackAddress().getHostAddress());
    }

    /** Listens on a port the OS picks at this address (the node's bridge, for HAProxy pods to reach it). */
    public static BackendServer start(String identity, String address) {
        try {
            var server = HttpServer.create(new InetSocketAddress(address, 0), 0);
            var backend = new BackendServer(identity, server, address);
            server.createContext("/", backend::answer);
            // Slow requests must not hold up the others.
            server.setExecutor(Executors.newCachedThreadPool(r -> {
                var thread = new Thread(r, "backend-" + identity);
                thread.setDaemon(true);
                return thread;
            }));
            server.start();
            return backend;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start backend " + identity, e);
        }
    }

    /** Answers after {@code ?delay=<ms>} when the query asks for it: a slow request, in flight for that long. */
    private void answer(HttpExchange exchange) throws IOException {
        var headers = exchange.getRequestHeaders();
        String query = exchange.getRequestURI().getRawQuery();
        requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath()
                + (query == null ? "" : "?" + query));
        if (query != null && query.startsWith("delay=")) {
            try {
                Thread.sleep(Long.parseLong(query.substring("delay=".length())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // path as sent, query included: tests of path rewriting see exactly what reached the instance
        String body = "identity=" + identity + " path=" + exchange.getRequestURI().getRawPath()
                + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery())
                + " host=" + Objects.requireNonNullElse(headers.getFirst("Host"), "-")
                + " xff=" + Objects.requireNonNullElse(headers.getFirst("X-Forwarded-For"), "-");
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        if (headers.getFirst("Cookie") == null) {
            exchange.getResponseHeaders().set("Set-Cookie", "JSESSIONID=" + identity + "-session; Path=/");
        }
        exchange.sendResponseHeaders(200, bytes.length);
        try (var out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    public String identity() {
        return identity;
    }

    public String address() {
        return address;
    }

    /** Every request received so far, as {@code <method> <path>[?<query>]} (health checks included). */
    public List<String> requests() {
        return List.copyOf(requests);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    @Override
    public String toString() {
        return "backend " + identity + " on " + address + ":" + port();
    }
}
