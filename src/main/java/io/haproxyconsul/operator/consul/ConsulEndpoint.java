package io.haproxyconsul.operator.consul;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.consul.ConsulClientOptions;
import java.net.URI;

/**
 * One Consul as a binding reaches it: address, datacenter, credentials and TLS trust. Watches are shared
 * between bindings whose endpoints are equal, so two bindings with different tokens never share answers.
 */
public record ConsulEndpoint(URI address, String datacenter, String token, String caPem, boolean insecureSkipVerify) {

    public boolean https() {
        return "https".equals(address.getScheme());
    }

    public int port() {
        return address.getPort() > 0 ? address.getPort() : (https() ? 443 : 80);
    }

    /** How a Vert.x Consul client reaches this endpoint; callers add pool size and timeouts. */
    public ConsulClientOptions clientOptions() {
        var options = new ConsulClientOptions().setHost(address.getHost()).setPort(port()).setSsl(https());
        if (datacenter != null) {
            options.setDc(datacenter);
        }
        if (token != null) {
            options.setAclToken(token);
        }
        if (https()) {
            options.setTrustAll(insecureSkipVerify).setVerifyHost(!insecureSkipVerify);
            if (caPem != null) {
                options.setPemTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(caPem)));
            }
        }
        return options;
    }

    /** Keeps the token and CA out of logs and health data. */
    @Override
    public String toString() {
        return address + (datacenter == null ? "" : " (dc " + datacenter + ")");
    }
}
