package io.haproxyconsul.operator.consul;

import io.haproxyconsul.operator.consul.ServiceInstance.HealthStatus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Consul's answers as this operator's data, sorted so that equal answers are equal values. Nothing checked yet. */
final class ConsulAnswers {

    private ConsulAnswers() {
    }

    /** {@code /v1/catalog/services}: service name → tags. */
    static Map<String, List<String>> catalog(JsonObject services) {
        var catalog = new TreeMap<String, List<String>>();
        // Consul lists a service's tags in no particular order; sorted, an unchanged catalog is an equal value.
        services.forEach(service -> catalog.put(service.getKey(), strings(service.getValue()).stream().sorted()
                .toList()));
        return catalog;
    }

    /** {@code /v1/health/service/<name>}: its instances, each with the worst of its own and its node's checks. */
    static List<ServiceInstance> instances(JsonArray entries) {
        var instances = new ArrayList<ServiceInstance>();
        for (int i = 0; i < entries.size(); i++) {
            var entry = entries.getJsonObject(i);
            var node = object(entry.getValue("Node"));
            var service = object(entry.getValue("Service"));
            String address = text(service, "Address");
            instances.add(new ServiceInstance(text(service, "ID"), text(node, "Node"),
                    address.isEmpty() ? text(node, "Address") : address,
                    service.getValue("Port") instanceof Number port ? port.intValue() : 0,
                    strings(service.getValue("Tags")), worst(entry.getValue("Checks"))));
        }
        instances.sort(Comparator.comparing(ServiceInstance::serviceId).thenComparing(ServiceInstance::node));
        return List.copyOf(instances);
    }

    /** {@code /v1/kv/<prefix>/?recurse}: key → value, a key without a value as empty. */
    static Map<String, String> values(JsonArray values) {
        var kv = new TreeMap<String, String>();
        for (int i = 0; i < values.size(); i++) {
            var value = values.getJsonObject(i);
            String encoded = value.getString("Value");
            kv.put(value.getString("Key"), encoded == null ? ""
                    : new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8));
        }
        return kv;
    }

    /** As Consul's health endpoint: anything but passing or warning (maintenance included) is critical. */
    static HealthStatus health(String status) {
        return switch (status) {
            case "passing" -> HealthStatus.PASSING;
            case "warning" -> HealthStatus.WARNING;
            default -> HealthStatus.CRITICAL;
        };
    }

    private static HealthStatus worst(Object checks) {
        var status = HealthStatus.PASSING;
        if (checks instanceof JsonArray list) {
            for (int i = 0; i < list.size(); i++) {
                var health = health(text(list.getJsonObject(i), "Status"));
                status = health.compareTo(status) > 0 ? health : status;
            }
        }
        return status;
    }

    private static String text(JsonObject json, String key) {
        return json.getValue(key) instanceof String text ? text : "";
    }

    private static JsonObject object(Object value) {
        return value instanceof JsonObject json ? json : new JsonObject();
    }

    private static List<String> strings(Object value) {
        if (!(value instanceof JsonArray list)) {
            return List.of();
        }
        var strings = new ArrayList<String>();
        for (int i = 0; i < list.size(); i++) {
            strings.add(String.valueOf(list.getValue(i)));
        }
        return List.copyOf(strings);
    }
}
