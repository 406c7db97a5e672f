package io.haproxyconsul.operator.runtime;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The keys of one binding's Runtime API channel: a CA of its own, the certificate its HAProxy pods present, and
 * the client certificate only the operator holds. Pods trust the CA and admit only certificates it signed;
 * the operator trusts only pods that present one. Stored in a Secret the binding owns; the pods mount just
 * {@link #CA_CERT} and {@link #POD_PEM}.
 */
public record RuntimeCredentials(String caCert, String caKey, String podPem, String clientCert, String clientKey) {

    public static final String CA_CERT = "ca.crt";
    public static final String CA_KEY = "ca.key";
    /** The pods' certificate and key in one PEM file, as HAProxy's {@code crt} reads it. */
    public static final String POD_PEM = "pod.pem";
    public static final String CLIENT_CERT = "operator.crt";
    public static final String CLIENT_KEY = "operator.key";
    static final java.util.List<String> KEYS = java.util.List.of(CA_CERT, CA_KEY, POD_PEM, CLIENT_CERT, CLIENT_KEY);
    /** Renewing means deleting the Secret and restarting the fleet (README): a long life keeps that rare. */
    private static final Duration VALIDITY = Duration.ofDays(3650);

    public static RuntimeCredentials generate(String owner, Instant now) {
        try {
            var ca = keyPair();
            var caName = new X500Name("CN=haproxy-consul-operator runtime API CA, O=" + owner);
            var caCert = sign(caName, ca, caName, ca.getPublic(), now, true, null);
            var pod = keyPair();
            var podCert = sign(caName, ca, new X500Name("CN=haproxy runtime API, O=" + owner), pod.getPublic(), now,
                    false, KeyPurposeId.id_kp_serverAuth);
            var client = keyPair();
            var clientCert = sign(caName, ca, new X500Name("CN=haproxy-consul-operator, O=" + owner),
                    client.getPublic(), now, false, KeyPurposeId.id_kp_clientAuth);
            return new RuntimeCredentials(pem("CERTIFICATE", caCert.getEncoded()), privateKeyPem(ca.getPrivate()),
                    pem("CERTIFICATE", podCert.getEncoded()) + privateKeyPem(pod.getPrivate()),
                    pem("CERTIFICATE", clientCert.getEncoded()), privateKeyPem(client.getPrivate()));
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot create the runtime API's keys", e);
        }
    }

    /** From a Secret's data, base64-decoded. */
    public static RuntimeCredentials of(Map<String, String> data) {
        return new RuntimeCredentials(data.get(CA_CERT), data.get(CA_KEY), data.get(POD_PEM), data.get(CLIENT_CERT),
                data.get(CLIENT_KEY));
    }

    public Map<String, String> data() {
        return Map.of(CA_CERT, caCert, CA_KEY, caKey, POD_PEM, podPem, CLIENT_CERT, clientCert, CLIENT_KEY,
                clientKey);
    }

    public boolean complete() {
        return caCert != null && caKey != null && podPem != null && clientCert != null && clientKey != null;
    }

    /** A TLS context that presents the operator's client certificate and trusts only the binding's CA. */
    public SSLContext clientContext() {
        try {
            var certificates = CertificateFactory.getInstance("X.509");
            var ca = (X509Certificate) certificates.generateCertificate(bytes(caCert));
            var client = (X509Certificate) certificates.generateCertificate(bytes(clientCert));
            var keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            char[] password = new char[0];
            keys.setKeyEntry("operator", privateKey(clientKey), password, new X509Certificate[] {client});
            var keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keys, password);
            var trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", ca);
            var trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trust);
            var context = SSLContext.getInstance("TLSv1.3");
            context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), new SecureRandom());
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the runtime API's keys are unusable", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static KeyPair keyPair() throws GeneralSecurityException {
        var generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static X509Certificate sign(X500Name issuer, KeyPair issuerKeys, X500Name subject,
            java.security.PublicKey subjectKey, Instant now, boolean ca, KeyPurposeId purpose)
            throws GeneralSecurityException, OperatorCreationException {
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
                new BigInteger(64, new SecureRandom()), Date.from(now.minus(Duration.ofMinutes(5))),
                Date.from(now.plus(VALIDITY)), subject, subjectKey);
        try {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(ca ? KeyUsage.keyCertSign | KeyUsage.cRLSign
                    : KeyUsage.digitalSignature | KeyUsage.keyAgreement));
            if (purpose != null) {
                builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        var signer = new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate());
        return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    }

    private static String privateKeyPem(PrivateKey key) {
        return pem("PRIVATE KEY", key.getEncoded());
    }

    private static PrivateKey privateKey(String pem) throws GeneralSecurityException {
        String body = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static ByteArrayInputStream bytes(String pem) {
        return new ByteArrayInputStream(pem.getBytes(StandardCharsets.UTF_8));
    }
}
