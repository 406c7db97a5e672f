package io.haproxyconsul.operator.testenv;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A service instance behind HAProxy: answers every request (HAProxy's {@code option httpchk GET /} included) with
 * 200 and a body saying who it is and what it received, e.g. {@code identity=web-1 path=/foo host=shop xff=127.0.0.1}.
 * Like a Java application server, it opens a session with a {@code JSESSIONID} cookie when the request has none,
 * which is what HAProxy's {@code cookie JSESSIONID prefix} stickiness works on.
 */
public final class BackendServer implements AutoCloseable {

    private final String identity;
    private final HttpServer server;

    private BackendServer(String identity, HttpServer server) {
        this.identity = identity;
        this.server = server;
    }

    /** Listens on a loopback port the OS picks. */
    public static BackendServer start(String identity) {
        try {
            var server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            var backend = new BackendServer(identity, server);
            server.createContext("/", backend::answer);
            server.start();
            return backend;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start backend " + identity, e);
        }
    }

    private void answer(HttpExchange exchange) throws IOException {
        var headers = exchange.getRequestHeaders();
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

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    @Override
    public String toString() {
        return "backend " + identity + " on 127.0.0.1:" + port();
    }
}
