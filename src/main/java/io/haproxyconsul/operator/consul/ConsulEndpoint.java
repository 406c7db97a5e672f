package io.haproxyconsul.operator.consul;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.WebClientOptions;
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

    /**
     * How a web client reaches this endpoint; callers add the pool size, and each request its datacenter, token and
     * timeout ({@code ConsulApi.get}).
     */
    public WebClientOptions clientOptions() {
        var options = new WebClientOptions().setDefaultHost(address.getHost()).setDefaultPort(port()).setSsl(https());
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
