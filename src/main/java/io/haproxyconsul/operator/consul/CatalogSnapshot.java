package io.haproxyconsul.operator.consul;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * What a binding sees of Consul at one moment: its selected services with their instances, and the KV keys
 * under its prefixes. Immutable; equal snapshots render to equal bytes.
 *
 * @param services selected service name → its tags (union over instances, as the catalog lists them)
 * @param instances selected service name → its instances, sorted by service ID
 * @param kv key → value for every key under the binding's KV prefixes
 */
public record CatalogSnapshot(SortedMap<String, List<String>> services, SortedMap<String, List<ServiceInstance>> instances,
        SortedMap<String, String> kv) {

    public CatalogSnapshot {
        services = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(services));
        instances = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(instances));
        kv = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(kv));
    }

    public static CatalogSnapshot of(Map<String, List<String>> services, Map<String, List<ServiceInstance>> instances,
            Map<String, String> kv) {
        return new CatalogSnapshot(new java.util.TreeMap<>(services), new java.util.TreeMap<>(instances),
                new java.util.TreeMap<>(kv));
    }
}
