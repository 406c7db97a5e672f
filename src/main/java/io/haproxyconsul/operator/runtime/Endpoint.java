package io.haproxyconsul.operator.runtime;

import java.util.regex.Pattern;

/**
 * Where a server sends traffic, as the routing model has it: an IP literal (IPv6 unbracketed) or a DNS name.
 */
public record Endpoint(String host, int port) implements Comparable<Endpoint> {

    private static final Pattern IP = Pattern.compile("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    /** From a server address as haproxy.cfg prints it ({@code [v6]} in brackets). */
    public static Endpoint of(String address, int port) {
        String host = address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1)
                : address;
        return new Endpoint(host, port);
    }

    /** HAProxy's {@code set server ... addr} takes IP addresses only; a DNS name needs a new configuration. */
    public boolean isIpAddress() {
        return IP.matcher(host).matches();
    }

    @Override
    public int compareTo(Endpoint other) {
        int byHost = host.compareTo(other.host);
        return byHost != 0 ? byHost : Integer.compare(port, other.port);
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
