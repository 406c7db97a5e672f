package io.haproxyconsul.operator.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** Publishes the services of one Consul through a fleet of HAProxy pods. */
@Group(HaproxyConsulBinding.GROUP)
@Version(HaproxyConsulBinding.VERSION)
@ShortNames("hcb")
@AdditionalPrinterColumn(name = "Domain", jsonPath = ".spec.routing.domain", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Reason", jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Config", jsonPath = ".status.currentConfig.hash", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Services", jsonPath = ".status.currentConfig.services", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Servers", jsonPath = ".status.currentConfig.servers", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class HaproxyConsulBinding extends CustomResource<HaproxyConsulBindingSpec, HaproxyConsulBindingStatus>
        implements Namespaced {

    public static final String GROUP = "haproxyconsul.io";
    public static final String VERSION = "v1alpha1";

    @Override
    protected HaproxyConsulBindingStatus initStatus() {
        return new HaproxyConsulBindingStatus();
    }
}
