package io.haproxyconsul.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

@ValidationRule(value = "!has(self.fleet) || !has(self.fleet.runtimeApiPort) || (self.fleet.runtimeApiPort != self.routing.port && (!has(self.stats) || self.fleet.runtimeApiPort != self.stats.port))",
        message = "must differ from spec.routing.port and spec.stats.port", fieldPath = ".fleet.runtimeApiPort",
        reason = "FieldValueInvalid")
/** What to publish (Consul, service selection, routing, KV, template) and how to roll it out. */
public class HaproxyConsulBindingSpec {

    @Required
    @JsonPropertyDescription("The Consul agent or server to watch.")
    public ConsulSpec consul;

    @JsonPropertyDescription("Which Consul services are published. By default every service tagged 'http' that has passing instances.")
    public ServiceSelectionSpec services = new ServiceSelectionSpec();

    @Required
    @JsonPropertyDescription("How requests reach a service: by host name under the domain, by path prefix, or both.")
    public RoutingSpec routing;

    @JsonPropertyDescription("Consul KV keys that extend the generated configuration (global settings and per-service options).")
    public KvSpec kv = new KvSpec();

    @JsonPropertyDescription("The Qute template that renders haproxy.cfg: the built-in default, or one from a ConfigMap.")
    public TemplateSpec template = new TemplateSpec();

    @JsonPropertyDescription("The HAProxy statistics page. Left out when unset: its credentials must come from a Secret.")
    public StatsSpec stats;

    @JsonPropertyDescription("The HAProxy pods that serve the configuration: a Deployment and Service the operator owns. Unset: the operator only publishes ConfigMaps.")
    public FleetSpec fleet;

    @JsonPropertyDescription("How Consul changes become new configurations: debounce and how many old configurations to keep.")
    public RolloutSpec rollout = new RolloutSpec();
}
