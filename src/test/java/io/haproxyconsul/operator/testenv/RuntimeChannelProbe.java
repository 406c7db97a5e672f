package io.haproxyconsul.operator.testenv;

import io.haproxyconsul.operator.runtime.RuntimeCredentials;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Clients a fleet pod's Runtime API must refuse: one without a certificate, and one that skips TLS. Each returns
 * what the pod answered, nothing when it refused the connection (a TLS alert or a reset).
 */
public final class RuntimeChannelProbe {

    private static final int TIMEOUT_MILLIS = 5_000;

    private RuntimeChannelProbe() {
    }

    /** TLS that trusts any server but presents no certificate of its own. */
    public static String withoutClientCertificate(String host, int port, String command) {
        return overTls(null, host, port, command);
    }

    /** TLS that trusts any server and presents a client certificate of another CA than the binding's. */
    public static String withForeignCertificate(String host, int port, String command) {
        try {
            var foreign = RuntimeCredentials.generate("someone else", Instant.now());
            var keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            var certificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                    new ByteArrayInputStream(foreign.clientCert().getBytes(StandardCharsets.UTF_8)));
            String key = foreign.clientKey().replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            keys.setKeyEntry("foreign", KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(
                    Base64.getDecoder().decode(key))), new char[0], new X509Certificate[] {certificate});
            var managers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            managers.init(keys, new char[0]);
            return overTls(managers.getKeyManagers(), host, port, command);
        } catch (java.security.GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String overTls(KeyManager[] keys, String host, int port, String command) {
        try {
            var context = SSLContext.getInstance("TLSv1.3");
            context.init(keys, new TrustManager[] {new TrustingEveryone()}, null);
            try (var socket = (SSLSocket) context.getSocketFactory().createSocket()) {
                socket.connect(new InetSocketAddress(host, port), TIMEOUT_MILLIS);
                socket.setSoTimeout(TIMEOUT_MILLIS);
                return converse(socket, command);
            }
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        } catch (IOException refused) {
            return "";
        }
    }

    /** A plain TCP connection; what comes back (HAProxy drops what is not a TLS handshake). */
    public static String plainText(String host, int port, String command) {
        try (var socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), TIMEOUT_MILLIS);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            return converse(socket, command);
        } catch (IOException refused) {
            return "";
        }
    }

    private static String converse(Socket socket, String command) throws IOException {
        socket.getOutputStream().write((command + "\n").getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
        return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static final class TrustingEveryone implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
