package io.haproxyconsul.operator.testenv;

import io.haproxyconsul.operator.testenv.RealParts.Part;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The packaged operator ({@code target/quarkus-app/quarkus-run.jar}, as the image runs it) in a process of its own
 * against a {@link ControlPlane}: what the demo runs, and what tests kill and restart.
 */
public final class OperatorProcess {

    static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");

    private OperatorProcess() {
    }

    /**
     * @param token the bearer token it authenticates with ({@link ControlPlane#operatorToken()} for deploy/'s RBAC)
     * @param settings extra environment, e.g. HCO_LEADER_ELECTION_IDENTITY
     */
    public static ManagedProcess start(String name, ControlPlane plane, String token, Map<String, String> settings) {
        Path jar = JAR.toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run ./mvnw package first");
        }
        var env = new HashMap<String, String>();
        env.put("QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL", plane.url());
        env.put("QUARKUS_KUBERNETES_CLIENT_TOKEN", token);
        env.put("QUARKUS_KUBERNETES_CLIENT_CA_CERT_DATA", plane.caCertData());
        env.put("QUARKUS_HTTP_PORT", String.valueOf(FreePorts.next()));
        env.put("HCO_HAPROXY_BINARY", RealParts.require(Part.HAPROXY).toString());
        // Outside a cluster there is no namespace of its own to hold the leader-election Lease.
        env.put("HCO_LEADER_ELECTION_LEASE_NAMESPACE", ControlPlane.OPERATOR_NAMESPACE);
        env.putAll(settings);
        String java = ProcessHandle.current().info().command().orElse("java");
        return ManagedProcess.startInOwnDir(name, List.of(java, "-jar", jar.toString()), env);
    }
}
