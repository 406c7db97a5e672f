package io.haproxyconsul.operator.consul;

import java.net.URI;

/**
 * One Consul as a binding reaches it: address, datacenter, credentials and TLS trust. Watches are shared
 * between bindings whose endpoints are equal, so two bindings with different tokens never share answers.
 */
public record ConsulEndpoint(URI address, String datacenter, String token, String caPem, boolean insecureSkipVerify,
        String serverName) {

    public boolean https() {
        return "https".equals(address.getScheme());
    }

    public int port() {
        return address.getPort() > 0 ? address.getPort() : (https() ? 443 : 80);
    }

    /** Keeps the token and CA out of logs and health data. */
    @Override
    public String toString() {
        return address + (datacenter == null ? "" : " (dc " + datacenter + ")");
    }
}
