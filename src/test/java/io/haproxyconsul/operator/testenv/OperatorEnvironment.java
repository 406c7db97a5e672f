package io.haproxyconsul.operator.testenv;

import io.haproxyconsul.operator.testenv.RealParts.Part;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * The real parts an operator under {@code @QuarkusTest} runs against: a control plane with a real node and the
 * project's CRDs applied, a Consul agent that the node's pods reach too, and the real {@code haproxy} for
 * validation. The operator authenticates as the
 * service account of {@code deploy/base}, with exactly its RBAC, so every operator test also checks that those
 * rules suffice. Injected into test fields of this type.
 */
public final class OperatorEnvironment implements QuarkusTestResourceLifecycleManager {

    private ControlPlane plane;
    private ConsulAgent consul;
    private String operatorToken;

    @Override
    public Map<String, String> start() {
        String haproxy = RealParts.require(Part.HAPROXY).toString();
        try {
            plane = ControlPlane.startWithNode();
            plane.applyCrds();
            consul = ConsulAgent.startReachableAt(RealParts.require(Part.CONSUL), plane.address());
            operatorToken = plane.operatorToken();
        } catch (RuntimeException | Error e) {
            stop();
            throw e;
        }
        return Map.of(
                "quarkus.kubernetes-client.api-server-url", plane.url(),
                "quarkus.kubernetes-client.token", operatorToken,
                "quarkus.kubernetes-client.ca-cert-data", plane.caCertData(),
                "hco.haproxy.binary", haproxy,
                // Short retries: tests stop and start Consul and should not wait half a minute for a reconnect.
                "hco.consul.retry-max", "2s");
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(this, new TestInjector.MatchesType(OperatorEnvironment.class));
    }

    public ControlPlane controlPlane() {
        return plane;
    }

    /** The bearer token the operator under test authenticates with. */
    public String operatorToken() {
        return operatorToken;
    }

    public ConsulAgent consul() {
        return consul;
    }

    @Override
    public void stop() {
        if (consul != null) {
            consul.close();
        }
        if (plane != null) {
            plane.close();
        }
    }
}
