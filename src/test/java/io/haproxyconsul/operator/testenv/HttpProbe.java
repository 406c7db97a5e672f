package io.haproxyconsul.operator.testenv;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One HTTP/1.1 request over a plain socket, the way a client of HAProxy sends it: {@code java.net.http} will not set
 * the Host header, which HAProxy routes on. Replies must carry a Content-Length or end with the connection (HAProxy's
 * own pages and {@link BackendServer} do); chunked replies are refused rather than misread.
 */
public final class HttpProbe {

    private static final int READ_TIMEOUT_MILLIS = 30_000;

    /** Header names are lower case. */
    public record HttpReply(int status, Map<String, List<String>> headers, String body) {

        public Optional<String> header(String name) {
            return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of()).stream().findFirst();
        }
    }

    private HttpProbe() {
    }

    /** {@code GET path} to 127.0.0.1:port with the given Host header, on a connection closed afterwards. */
    public static HttpReply get(int port, String host, String path) {
        return get(port, host, path, null);
    }

    /** The same, sending a {@code Cookie} header (none when null). */
    public static HttpReply get(int port, String host, String path, String cookie) {
        return get(InetAddress.getLoopbackAddress().getHostAddress(), port, host, path, cookie);
    }

    /** {@code GET path} to address:port (a pod's or a Service's, say) with the given Host and Cookie headers. */
    public static HttpReply get(String address, int port, String host, String path, String cookie) {
        return get(address, port, host, path, cookie, Duration.ofMillis(READ_TIMEOUT_MILLIS));
    }

    /** The same, giving up after {@code timeout} to connect, and again to read: a probe that polls. */
    public static HttpReply get(String address, int port, String host, String path, String cookie,
            Duration timeout) {
        String request = "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n"
                + (cookie == null ? "" : "Cookie: " + cookie + "\r\n") + "Connection: close\r\n\r\n";
        try (var socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            return parse(new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + path + " (Host: " + host + ") on " + address + ":" + port
                    + " failed", e);
        }
    }

    private static HttpReply parse(String raw) {
        int headEnd = raw.indexOf("\r\n\r\n");
        if (!raw.startsWith("HTTP/1.") || headEnd < 0) {
            throw new IllegalStateException("not an HTTP/1.x reply: " + raw);
        }
        String[] lines = raw.substring(0, headEnd).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ", 3)[1]);
        var headers = new TreeMap<String, List<String>>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.computeIfAbsent(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
                    name -> new ArrayList<>()).add(lines[i].substring(colon + 1).strip());
        }
        var reply = new HttpReply(status, headers, "");
        if (reply.header("transfer-encoding").filter(te -> te.toLowerCase(Locale.ROOT).contains("chunked"))
                .isPresent()) {
            throw new IllegalStateException("chunked reply not supported by this probe: " + raw);
        }
        // bytes were read as ISO-8859-1, one char each, so lengths in chars are lengths in bytes
        byte[] rest = raw.substring(headEnd + 4).getBytes(StandardCharsets.ISO_8859_1);
        int length = reply.header("content-length").map(Integer::parseInt).orElse(rest.length);
        String body = new String(rest, 0, Math.min(length, rest.length), StandardCharsets.UTF_8);
        return new HttpReply(status, headers, body);
    }
}
