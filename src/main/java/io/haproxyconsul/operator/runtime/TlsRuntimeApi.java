package io.haproxyconsul.operator.runtime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * The Runtime API of a fleet's pod over mutual TLS: the pod's HAProxy admits only clients with a certificate from
 * the binding's own CA (see {@link RuntimeCredentials}). The pod's certificate is checked against that CA; pod
 * IPs change, so no host name is checked.
 *
 * <p>Interactive mode ({@code prompt}) ends every answer with a prompt, which is how answers are told apart.
 */
public final class TlsRuntimeApi implements RuntimeApi {

    private static final String PROMPT = "\n> ";

    private final SSLContext tls;
    private final Duration connectTimeout;
    private final Duration readTimeout;

    public TlsRuntimeApi(SSLContext tls, Duration connectTimeout, Duration readTimeout) {
        this.tls = tls;
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
    }

    @Override
    public List<String> run(String host, int port, List<String> commands) throws IOException {
        try (var socket = (SSLSocket) tls.getSocketFactory().createSocket()) {
            socket.connect(new InetSocketAddress(host, port), (int) connectTimeout.toMillis());
            socket.setSoTimeout((int) readTimeout.toMillis());
            socket.startHandshake();
            var script = new StringBuilder("prompt\n");
            commands.forEach(command -> script.append(command).append('\n'));
            script.append("quit\n");
            socket.getOutputStream().write(script.toString().getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            var answer = new ByteArrayOutputStream();
            socket.getInputStream().transferTo(answer);
            return answers(answer.toString(StandardCharsets.UTF_8), commands.size());
        }
    }

    /** Splits the prompt-separated transcript: the first prompt answers {@code prompt} itself. */
    static List<String> answers(String transcript, int expected) throws IOException {
        if (!transcript.startsWith(PROMPT)) {
            throw new IOException("not a Runtime API transcript: " + abbreviate(transcript));
        }
        var parts = Arrays.asList(transcript.substring(PROMPT.length()).split(PROMPT, -1));
        if (parts.size() < expected + 1) {
            throw new IOException("the Runtime API answered " + (parts.size() - 1) + " of " + expected
                    + " commands: " + abbreviate(transcript));
        }
        return parts.subList(0, expected).stream().map(String::strip).toList();
    }

    private static String abbreviate(String text) {
        return text.length() > 200 ? text.substring(0, 200) + "…" : text;
    }
}
