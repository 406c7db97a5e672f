package io.haproxyconsul.operator.runtime;

import io.haproxyconsul.operator.model.RoutingModel;
import io.haproxyconsul.operator.render.RenderedConfig;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The servers a configuration gives each backend that the Runtime API manages, by the configuration's hash.
 *
 * @param configHash the configuration whose servers these are
 */
public record DesiredServers(String configHash, Map<String, List<Endpoint>> backends) {

    public static DesiredServers of(RoutingModel model, RenderedConfig config) {
        var backends = new TreeMap<String, List<Endpoint>>();
        for (var backend : model.backends()) {
            if (config.structure().runtimeBackends().contains(backend.name())) {
                backends.put(backend.name(), backend.servers().stream()
                        .map(server -> Endpoint.of(server.address(), server.port())).toList());
            }
        }
        return new DesiredServers(config.hash().value(), Map.copyOf(backends));
    }
}
