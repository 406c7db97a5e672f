package io.haproxyconsul.operator.consul;

/** Consul answered, but not with what was asked: its status code and what it said. */
final class ConsulRefusal extends RuntimeException {

    ConsulRefusal(int status, String body) {
        super("Consul answered " + status + (body == null || body.isBlank() ? "" : ": " + body.strip()));
    }
}
