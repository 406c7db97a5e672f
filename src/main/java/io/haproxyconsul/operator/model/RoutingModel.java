package io.haproxyconsul.operator.model;

import io.quarkus.qute.TemplateData;
import java.util.List;
import java.util.Map;

/**
 * The whole HAProxy configuration as data: what the template draws. Every string in it has passed
 * {@link ConsulValues}, so a template can print it without quoting or escaping.
 *
 * @param rejections values from Consul or KV that were left out, and why (reported as Events, never rendered)
 */
@TemplateData
public record RoutingModel(Globals globals, Frontend frontend, List<Backend> backends, Stats stats,
        Map<String, String> params, List<Rejection> rejections) {

    public int serverCount() {
        return backends.stream().mapToInt(b -> b.servers().size()).sum();
    }

    @TemplateData
    public record Globals(int maxconn, String logTarget, String logLevel, List<String> globalLines,
            List<String> defaultsLines) {
    }

    /** The public listener. {@code hostRouting}/{@code pathRouting} say which ACLs the backends get. */
    @TemplateData
    public record Frontend(int port, String domain, boolean hostRouting, boolean pathRouting) {
    }

    /**
     * @param hosts host names routed here (empty without host routing)
     * @param pathPrefix {@code /<service>} when path routing is on, else null
     * @param stickyCookie the application cookie HAProxy prefixes with a hash of the server's address, or null
     * @param servers the instances, in slots {@code srv1}, {@code srv2}... in the order of their Consul IDs
     * @param spareSlots the names of the empty slots after them: room for instances that a running HAProxy takes
     *        through its Runtime API, without a reload
     */
    @TemplateData
    public record Backend(String name, String service, List<String> hosts, String pathPrefix, String stickyCookie,
            List<Server> servers, List<String> spareSlots) {
        public String hostList() {
            return String.join(" ", hosts);
        }
    }

    /**
     * @param name the slot: HAProxy's server name, which a running HAProxy may later give to another instance
     * @param instance the Consul service ID (or a digest of it), for people reading the configuration
     */
    @TemplateData
    public record Server(String name, String address, int port, String instance) {
    }

    /** The stats listener; its credentials are read by HAProxy from the environment, never written here. */
    @TemplateData
    public record Stats(int port) {
    }

    @TemplateData
    public record Rejection(String source, String reason) {
        @Override
        public String toString() {
            return source + ": " + reason;
        }
    }
}
