package io.haproxyconsul.operator.testenv;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP proxy in front of Consul that counts the HTTP requests a client sends through it and the
 * connections it holds open at once: the same yardstick for the operator and consul-template.
 */
public final class CountingProxy implements AutoCloseable {

    private static final byte[] REQUEST_LINE_END = " HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);

    private final ServerSocket server;
    private final int target;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger maxOpen = new AtomicInteger();

    public CountingProxy(int target) throws IOException {
        this.target = target;
        this.server = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress());
        var acceptor = new Thread(this::accept, "proxy-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    public long requests() {
        return requests.get();
    }

    public int maxOpenConnections() {
        return maxOpen.get();
    }

    public void resetMaxOpen() {
        maxOpen.set(open.get());
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket consul = new Socket();
                consul.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), target));
                maxOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
                pump(client, consul, true);
                pump(consul, client, false);
            } catch (IOException e) {
                // closed, or one client that could not be connected: the benchmark sees its timeouts
            }
        }
    }

    private void pump(Socket from, Socket to, boolean countRequests) {
        var thread = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            int matched = 0;
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    if (countRequests) {
                        for (int i = 0; i < n; i++) {
                            matched = buffer[i] == REQUEST_LINE_END[matched] ? matched + 1
                                    : (buffer[i] == REQUEST_LINE_END[0] ? 1 : 0);
                            if (matched == REQUEST_LINE_END.length) {
                                requests.incrementAndGet();
                                matched = 0;
                            }
                        }
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // either side closed
            } finally {
                if (countRequests) {
                    open.decrementAndGet();
                }
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "pump");
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
