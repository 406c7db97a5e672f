package io.haproxyconsul.operator.consul;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a binding sees of Consul at one moment: its selected services with their instances, the KV keys under its
 * prefixes, and the selected services Consul gave nothing for. Immutable; equal snapshots render to equal bytes.
 *
 * @param services selected service name → its tags (union over instances, as the catalog lists them)
 * @param instances selected service name → the instances the binding serves, sorted by service ID
 * @param kv key → value for every key under the binding's KV prefixes
 * @param refused selected service name → why it is left out: Consul cannot be asked about that name, or refused
 *     to list its instances. Optional in a snapshot file.
 */
public record CatalogSnapshot(SortedMap<String, List<String>> services,
        SortedMap<String, List<ServiceInstance>> instances, SortedMap<String, String> kv,
        SortedMap<String, String> refused) {

    public CatalogSnapshot {
        services = Collections.unmodifiableSortedMap(new TreeMap<>(services));
        instances = Collections.unmodifiableSortedMap(new TreeMap<>(instances));
        kv = Collections.unmodifiableSortedMap(new TreeMap<>(kv));
        refused = Collections.unmodifiableSortedMap(refused == null ? new TreeMap<>() : new TreeMap<>(refused));
    }

    /** A snapshot in which Consul answered for every selected service. */
    public static CatalogSnapshot of(Map<String, List<String>> services, Map<String, List<ServiceInstance>> instances,
            Map<String, String> kv) {
        return new CatalogSnapshot(new TreeMap<>(services), new TreeMap<>(instances), new TreeMap<>(kv), null);
    }
}
