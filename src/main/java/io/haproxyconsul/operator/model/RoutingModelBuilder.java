package io.haproxyconsul.operator.model;

import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBindingSpec;
import io.haproxyconsul.operator.consul.CatalogSnapshot;
import io.haproxyconsul.operator.consul.ServiceInstance;
import io.haproxyconsul.operator.consul.ServiceSelector;
import io.haproxyconsul.operator.model.RoutingModel.Backend;
import io.haproxyconsul.operator.model.RoutingModel.Frontend;
import io.haproxyconsul.operator.model.RoutingModel.Globals;
import io.haproxyconsul.operator.model.RoutingModel.Rejection;
import io.haproxyconsul.operator.model.RoutingModel.Server;
import io.haproxyconsul.operator.model.RoutingModel.Stats;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns a binding's spec and its view of Consul into a {@link RoutingModel}. A pure function: the same inputs
 * always give an equal model, so the rendered bytes and their hash only change when Consul or the spec does.
 */
public final class RoutingModelBuilder {

    public static final String STATEFUL_TAG = "stateful";
    public static final String DEFAULT_COOKIE = "JSESSIONID";
    static final int DEFAULT_MAXCONN = 4096;
    static final String DEFAULT_LOG_TARGET = "stdout format raw";
    static final String DEFAULT_LOG_LEVEL = "info";

    private final HaproxyConsulBindingSpec spec;
    private final CatalogSnapshot snapshot;
    private final List<Rejection> rejections = new ArrayList<>();

    private RoutingModelBuilder(HaproxyConsulBindingSpec spec, CatalogSnapshot snapshot) {
        this.spec = spec;
        this.snapshot = snapshot;
    }

    public static RoutingModel build(HaproxyConsulBindingSpec spec, CatalogSnapshot snapshot) {
        return new RoutingModelBuilder(spec, snapshot).build();
    }

    private RoutingModel build() {
        var routing = spec.routing;
        var frontend = new Frontend(routing.port, routing.domain, routing.hostRouting, routing.pathRouting);
        var stats = spec.stats == null ? null : new Stats(spec.stats.port);
        return new RoutingModel(globals(), frontend, backends(), stats, params(), List.copyOf(rejections));
    }

    private Globals globals() {
        String prefix = spec.kv.prefix + "/";
        int maxconn = kv(prefix + "maxconn").map(value -> {
            try {
                int parsed = Integer.parseInt(value.strip());
                if (parsed >= 1 && parsed <= 10_000_000) {
                    return parsed;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            reject(prefix + "maxconn", value, "not a number between 1 and 10000000");
            return DEFAULT_MAXCONN;
        }).orElse(DEFAULT_MAXCONN);
        String logTarget = kv(prefix + "syslog/address").filter(value -> accept(prefix + "syslog/address", value,
                ConsulValues.isSyslogTarget(value.strip()), "not a syslog address (host:port, ip:port or a socket path)"))
                .map(String::strip).orElse(DEFAULT_LOG_TARGET);
        String logLevel = kv(prefix + "syslog/level").filter(value -> accept(prefix + "syslog/level", value,
                ConsulValues.isLogLevel(value.strip()), "not a syslog level (emerg … debug)"))
                .map(String::strip).orElse(DEFAULT_LOG_LEVEL);
        boolean debug = kv(prefix + "debug").filter(value -> accept(prefix + "debug", value,
                value.strip().equals("true") || value.strip().equals("false"), "not true or false"))
                .map(value -> value.strip().equals("true")).orElse(false);
        return new Globals(maxconn, logTarget, debug ? "debug" : logLevel, snippet(prefix + "global"),
                snippet(prefix + "defaults"));
    }

    private List<String> snippet(String key) {
        return kv(key).map(value -> {
            var check = ConsulValues.snippet(value);
            if (check.problem() != null) {
                reject(key, value, check.problem());
            }
            return check.lines();
        }).orElse(List.of());
    }

    private List<Backend> backends() {
        var backends = new ArrayList<Backend>();
        snapshot.refused().forEach((service, reason) -> reject("service " + ConsulValues.abbreviate(service), service,
                reason));
        snapshot.instances().forEach((service, instances) -> {
            var nameProblem = ConsulValues.serviceNameProblem(service);
            if (nameProblem.isPresent()) {
                reject("service " + service, service, nameProblem.get());
                return;
            }
            backends.add(backend(service, snapshot.services().getOrDefault(service, List.of()), instances));
        });
        return List.copyOf(backends);
    }

    private Backend backend(String service, List<String> tags, List<ServiceInstance> instances) {
        var routing = spec.routing;
        String servicePrefix = spec.kv.servicePrefix + "/" + service + "/";
        var hosts = new ArrayList<String>();
        if (routing.hostRouting) {
            hosts.add(service.toLowerCase(Locale.ROOT) + "." + routing.domain);
            kv(servicePrefix + "domain").filter(value -> accept(servicePrefix + "domain", value,
                    ConsulValues.isHostName(value.strip()), "not a DNS name")).map(value -> value.strip()
                    .toLowerCase(Locale.ROOT)).filter(host -> !hosts.contains(host)).ifPresent(hosts::add);
        }
        String cookie = null;
        if (tags.contains(STATEFUL_TAG)) {
            cookie = kv(servicePrefix + "serverCookie").filter(value -> accept(servicePrefix + "serverCookie", value,
                    ConsulValues.isCookieName(value.strip()), "not a cookie name")).map(String::strip)
                    .orElse(DEFAULT_COOKIE);
        }
        var servers = servers(service, instances);
        return new Backend("be_" + service, service, List.copyOf(hosts), routing.pathRouting ? "/" + service : null,
                cookie, servers, spareSlots(servers.size()));
    }

    /**
     * Room for a quarter more instances (at least two: a one-instance service's rolling deploy), which running
     * HAProxies take at run time; a backend that outgrows it needs a new configuration.
     */
    static List<String> spareSlots(int servers) {
        int spares = Math.max(2, (servers + 3) / 4);
        return java.util.stream.IntStream.rangeClosed(servers + 1, servers + spares).mapToObj(RoutingModelBuilder::slot)
                .toList();
    }

    private static String slot(int number) {
        return "srv" + number;
    }

    private List<Server> servers(String service, List<ServiceInstance> instances) {
        var servers = new TreeMap<String, Server>();
        var taken = new HashSet<String>();
        for (var instance : instances) {
            if (!ServiceSelector.serves(instance, spec.services.onlyPassing)) {
                continue;
            }
            String source = "instance " + instance.serviceId() + " of " + service;
            var address = ConsulValues.serverAddress(instance.address());
            if (address.isEmpty()) {
                reject(source, instance.address(), "address is not an IP address or DNS name");
                continue;
            }
            if (instance.port() < 1 || instance.port() > 65535) {
                reject(source, String.valueOf(instance.port()), "port is not between 1 and 65535");
                continue;
            }
            String name = serverName(instance, taken);
            servers.put(name, new Server(name, address.get(), instance.port(), name));
        }
        var slots = new ArrayList<Server>();
        for (var server : servers.values()) {
            slots.add(new Server(slot(slots.size() + 1), server.address(), server.port(), server.instance()));
        }
        return List.copyOf(slots);
    }

    /** The service ID when HAProxy accepts it as a server name, else a stable digest of it. */
    private static String serverName(ServiceInstance instance, java.util.Set<String> taken) {
        String name = ConsulValues.isServerName(instance.serviceId()) ? instance.serviceId()
                : "id-" + digest(instance.serviceId());
        if (!taken.add(name)) {
            // Consul allows one service ID on several nodes; the node keeps the names apart.
            name = name + "-" + digest(instance.node());
            taken.add(name);
        }
        return name;
    }

    private Map<String, String> params() {
        var params = new TreeMap<String, String>();
        spec.template.parameters.forEach((key, value) -> {
            if (accept("spec.template.parameters." + key, value, ConsulValues.isSingleLine(value),
                    "not a single line without '#'")) {
                params.put(key, value);
            }
        });
        return params;
    }

    private java.util.Optional<String> kv(String key) {
        return java.util.Optional.ofNullable(snapshot.kv().get(key));
    }

    private boolean accept(String source, String value, boolean ok, String reason) {
        if (!ok) {
            reject(source, value, reason);
        }
        return ok;
    }

    private void reject(String source, String value, String reason) {
        rejections.add(new Rejection(source, reason + " (value '" + ConsulValues.abbreviate(value) + "')"));
    }

    private static String digest(String value) {
        try {
            var sha = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
