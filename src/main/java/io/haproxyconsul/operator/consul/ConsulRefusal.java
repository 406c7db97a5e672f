package io.haproxyconsul.operator.consul;

/** Consul answered, but not with what was asked: its status code and what it said. */
final class ConsulRefusal extends RuntimeException {

    private final int status;

    ConsulRefusal(int status, String body) {
        super("Consul answered " + status + (body == null || body.isBlank() ? "" : ": " + body.strip()));
        this.status = status;
    }

    /**
     * Whether Consul refuses this question itself, so that asking again gets the same answer: a 4xx status other
     * than those about the token (401, 403, 407), time (408) and rate (429), which are about the asker and pass.
     */
    boolean refusesQuestion() {
        return status >= 400 && status < 500 && status != 401 && status != 403 && status != 407 && status != 408
                && status != 429;
    }
}
