package io.haproxyconsul.operator.testenv;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The client certificate the API server shows the kubelet (for {@code kubectl logs}), signed by a CA of its own
 * that the kubelet trusts; made with openssl, which {@code hack/testenv.sh install} puts on the machine.
 */
final class KubeletClientCertificate {

    private KubeletClientCertificate() {
    }

    /** Writes ca.crt, client.crt and client.key into {@code dir}; returns the CA's path. */
    static Path create(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
                "-days", "7", "-subj", "/CN=hco-testenv-kubelet-client-ca");
        // system:masters: what the kubelet's webhook authorization lets do anything, as kubeadm's certificate does.
        openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "client.key", "-out", "client.csr",
                "-subj", "/O=system:masters/CN=kube-apiserver-kubelet-client");
        openssl(dir, "x509", "-req", "-in", "client.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", "client.crt", "-days", "7");
        return dir.resolve("ca.crt");
    }

    private static void openssl(Path dir, String... args) {
        var command = new java.util.ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        CommandResult.run(command, dir, Duration.ofSeconds(60)).assertSuccess();
    }
}
