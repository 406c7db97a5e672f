package io.haproxyconsul.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import java.util.Map;
import java.util.TreeMap;

public class FleetServiceSpec {

    public enum Type {
        ClusterIP,
        NodePort,
        LoadBalancer
    }

    @Default("ClusterIP")
    @JsonPropertyDescription("Service type: ClusterIP, NodePort or LoadBalancer.")
    public Type type = Type.ClusterIP;

    @Default("80")
    @Min(1)
    @Max(65535)
    @JsonPropertyDescription("Port the Service exposes; it forwards to the HTTP frontend (spec.routing.port).")
    public int port = 80;

    @JsonPropertyDescription("Annotations of the Service (for example a cloud load balancer's settings).")
    public Map<String, String> annotations = new TreeMap<>();
}
