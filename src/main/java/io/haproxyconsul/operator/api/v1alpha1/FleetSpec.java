package io.haproxyconsul.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The HAProxy pods the operator runs for a binding: a Deployment and its Service. */
public class FleetSpec {

    public static final String DEFAULT_IMAGE = "docker.io/library/haproxy:2.6";

    @Default("2")
    @Min(0)
    @Max(100)
    @JsonPropertyDescription("Number of HAProxy pods.")
    public int replicas = 2;

    @Default(DEFAULT_IMAGE)
    @Size(min = 1, max = 512)
    @JsonPropertyDescription("HAProxy image of the pods; the init step validates each config with this image's haproxy -c.")
    public String image = DEFAULT_IMAGE;

    @JsonPropertyDescription("CPU and memory requests and limits of the HAProxy container (the init step gets the same).")
    public ResourceRequirements resources;

    @JsonPropertyDescription("Node labels the pods must run on.")
    public Map<String, String> nodeSelector = new TreeMap<>();

    @JsonPropertyDescription("Tolerations of the pods.")
    public List<Toleration> tolerations = new ArrayList<>();

    @JsonPropertyDescription("Affinity rules of the pods.")
    public Affinity affinity;

    @JsonPropertyDescription("Extra annotations on the pods (the operator's own keys win).")
    public Map<String, String> podAnnotations = new TreeMap<>();

    @JsonPropertyDescription("Extra labels on the pods (the operator's own keys win).")
    public Map<String, String> podLabels = new TreeMap<>();

    @Default("60")
    @Min(1)
    @Max(3600)
    @JsonPropertyDescription("Seconds a pod gets to drain its connections when it stops (terminationGracePeriodSeconds).")
    public int drainSeconds = 60;

    @Default("300")
    @Min(10)
    @Max(3600)
    @JsonPropertyDescription("Seconds a rollout may go without progress before the operator returns the fleet to the last known good configuration.")
    public int progressDeadlineSeconds = 300;

    @Default("9443")
    @Min(1024)
    @Max(65535)
    @JsonPropertyDescription("Port of the pods' Runtime API over mutual TLS: the operator changes servers there without a reload. Only clients with the operator's certificate are admitted.")
    public int runtimeApiPort = 9443;

    @JsonPropertyDescription("The Service in front of the pods.")
    public FleetServiceSpec service = new FleetServiceSpec();

    @JsonPropertyDescription("A PodDisruptionBudget for the pods; none when unset.")
    public DisruptionBudgetSpec podDisruptionBudget;
}
