package io.haproxyconsul.operator.consul;

import java.util.LinkedHashSet;
import java.util.List;

/** Which KV prefixes to read for a binding's keys. */
final class KvPrefixes {

    private KvPrefixes() {
    }

    /**
     * The prefixes without those that lie inside another: a recursive read of {@code service/} answers with the
     * keys of {@code service/haproxy/} too, so the seed's nested layout (the default) takes one long poll and one
     * request per KV change, not two.
     */
    static List<String> covering(List<String> prefixes) {
        return new LinkedHashSet<>(prefixes).stream()
                .filter(prefix -> prefixes.stream().noneMatch(other -> prefix.startsWith(other + "/")))
                .toList();
    }
}
