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

    /**
     * The public listener. {@code hostRouting}/{@code pathRouting} say which ACLs the backends get.
     *
     * @param subdomainRules with sub-domain host matching, one rule a host name, the longest names first (so the
     *     most specific wins); they follow every exact host rule. Empty with exact matching.
     */
    @TemplateData
    public record Frontend(int port, String domain, boolean hostRouting, boolean pathRouting,
            List<SubdomainRule> subdomainRules) {
    }

    /** Routes the names under a host to a backend: {@code suffix} is {@code .<host>}, so look-alikes never match. */
    @TemplateData
    public record SubdomainRule(String backend, String suffix) {
    }

    /**
     * @param hosts host names routed here (empty without host routing)
     * @param subdomainSuffixes {@code .<host>} of each host when sub-domains match too, else empty
     * @param pathPrefix {@code /<service>} when path routing is on, else null
     * @param healthCheck what HAProxy's health check of each server sends
     * @param stickyCookie the application cookie HAProxy prefixes with a hash of the server's address, or null
     * @param servers the instances, in slots {@code srv1}, {@code srv2}... in the order of their Consul IDs
     * @param spareSlots the names of the empty slots after them: room for instances that a running HAProxy takes
     *        through its Runtime API, without a reload
     */
    @TemplateData
    public record Backend(String name, String service, List<String> hosts, List<String> subdomainSuffixes,
            String pathPrefix, HealthCheck healthCheck, String stickyCookie, List<Server> servers,
            List<String> spareSlots) {
        public String hostList() {
            return String.join(" ", hosts);
        }

        public String subdomainSuffixList() {
            return String.join(" ", subdomainSuffixes);
        }

        /** {@link #pathPrefix} as a regular expression: the dots of a dotted service name match only a dot. */
        public String pathPattern() {
            return pathPrefix == null ? null : pathPrefix.replace(".", "[.]");
        }
    }

    /** {@code option httpchk <method> <path>}: both checked by {@link ConsulValues}. */
    @TemplateData
    public record HealthCheck(String method, String path) {
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
