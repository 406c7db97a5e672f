package io.haproxyconsul.operator.consul;

import java.util.List;

/**
 * Everything a binding asks of Consul: which Consul, which services, which KV prefixes. Bindings asking the same
 * sub-questions of the same endpoint share the underlying watches.
 */
public record ConsulQuestion(ConsulEndpoint endpoint, ServiceSelector selector, List<String> kvPrefixes) {
    public ConsulQuestion {
        kvPrefixes = KvPrefixes.covering(kvPrefixes);
    }
}
