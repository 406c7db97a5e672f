package io.haproxyconsul.operator.model;

import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBindingSpec;
import io.haproxyconsul.operator.api.v1alpha1.RoutingSpec.HostMatch;
import io.haproxyconsul.operator.consul.CatalogSnapshot;
import io.haproxyconsul.operator.consul.ServiceInstance;
import io.haproxyconsul.operator.consul.ServiceSelector;
import io.haproxyconsul.operator.model.RoutingModel.Backend;
import io.haproxyconsul.operator.model.RoutingModel.Frontend;
import io.haproxyconsul.operator.model.RoutingModel.Globals;
import io.haproxyconsul.operator.model.RoutingModel.HealthCheck;
import io.haproxyconsul.operator.model.RoutingModel.Rejection;
import io.haproxyconsul.operator.model.RoutingModel.Server;
import io.haproxyconsul.operator.model.RoutingModel.Stats;
import io.haproxyconsul.operator.model.RoutingModel.SubdomainRule;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

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
    private final KvLayout keys;
    private final List<Rejection> rejections = new ArrayList<>();
    private final HealthCheck bindingHealthCheck;

    private RoutingModelBuilder(HaproxyConsulBindingSpec spec, CatalogSnapshot snapshot) {
        this.spec = spec;
        this.snapshot = snapshot;
        this.keys = new KvLayout(spec.kv);
        this.bindingHealthCheck = bindingHealthCheck();
    }

    public static RoutingModel build(HaproxyConsulBindingSpec spec, CatalogSnapshot snapshot) {
        return new RoutingModelBuilder(spec, snapshot).build();
    }

    private RoutingModel build() {
        var routing = spec.routing;
        var globals = globals();
        var backends = backends();
        var frontend = new Frontend(routing.port, routing.domain, routing.hostRouting, routing.pathRouting,
                subdomainRules(backends));
        var stats = spec.stats == null ? null : new Stats(spec.stats.port);
        var params = params();
        rejections.addAll(keys.unread(snapshot.kv(), backends.stream().map(Backend::service)
                .collect(Collectors.toSet())));
        return new RoutingModel(globals, frontend, backends, stats, params, List.copyOf(rejections));
    }

    private Globals globals() {
        String maxconnKey = keys.global(KvLayout.MAXCONN);
        int maxconn = kv(maxconnKey).map(value -> {
            try {
                int parsed = Integer.parseInt(value.strip());
                if (parsed >= 1 && parsed <= 10_000_000) {
                    return parsed;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            reject(maxconnKey, value, "not a number between 1 and 10000000");
            return DEFAULT_MAXCONN;
        }).orElse(DEFAULT_MAXCONN);
        String serverKey = keys.global(KvLayout.LOG_SERVER);
        String logTarget = kv(serverKey).filter(value -> accept(serverKey, value,
                ConsulValues.isSyslogTarget(value.strip()), "not a syslog address (host:port, ip:port or a socket path)"))
                .map(String::strip).orElse(DEFAULT_LOG_TARGET);
        String levelKey = keys.global(KvLayout.LOG_LEVEL);
        String logLevel = kv(levelKey).filter(value -> accept(levelKey, value,
                ConsulValues.isLogLevel(value.strip()), "not a syslog level (emerg … debug)"))
                .map(String::strip).orElse(DEFAULT_LOG_LEVEL);
        String debugKey = keys.global(KvLayout.DEBUG);
        boolean debug = kv(debugKey).flatMap(value -> {
            var parsed = ConsulValues.seedBoolean(value);
            if (parsed.isEmpty()) {
                reject(debugKey, value, "not true or false (or 1, t, T, TRUE, True, and their false forms)");
            }
            return parsed;
        }).orElse(false);
        return new Globals(maxconn, logTarget, debug ? "debug" : logLevel, snippet(keys.global(KvLayout.GLOBAL)),
                snippet(keys.global(KvLayout.DEFAULTS)));
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
        var hosts = routing.hostRouting ? hosts(service) : List.<String>of();
        var subdomainSuffixes = routing.hostMatch == HostMatch.Subdomains
                ? hosts.stream().map(host -> "." + host).toList() : List.<String>of();
        String cookie = null;
        if (tags.contains(STATEFUL_TAG)) {
            String cookieKey = keys.service(service, KvLayout.SERVER_COOKIE);
            cookie = kv(cookieKey).filter(value -> accept(cookieKey, value,
                    ConsulValues.isCookieName(value.strip()), "not a cookie name")).map(String::strip)
                    .orElse(DEFAULT_COOKIE);
        }
        var servers = servers(service, instances);
        return new Backend("be_" + service, service, hosts, subdomainSuffixes,
                routing.pathRouting ? "/" + service : null, healthCheck(service), cookie, servers,
                spareSlots(servers.size()));
    }

    /** One rule a host name under sub-domain matching, the longest names first: the most specific one wins. */
    private static List<SubdomainRule> subdomainRules(List<Backend> backends) {
        return backends.stream().flatMap(backend -> backend.subdomainSuffixes().stream()
                .map(suffix -> new SubdomainRule(backend.name(), suffix)))
                .sorted(Comparator.comparingLong((SubdomainRule rule) -> rule.suffix().chars().filter(c -> c == '.')
                        .count()).reversed().thenComparing(SubdomainRule::suffix).thenComparing(SubdomainRule::backend))
                .toList();
    }

    /** {@code <service>.<domain>} and the service's extra host from KV, lower case. */
    private List<String> hosts(String service) {
        var hosts = new ArrayList<String>();
        String own = service.toLowerCase(Locale.ROOT) + "." + spec.routing.domain;
        if (own.length() <= ConsulValues.HOST_NAME_MAX) {
            hosts.add(own);
        } else {
            reject("service " + service, own, "host name longer than 253 characters: reached by path only");
        }
        String domainKey = keys.service(service, KvLayout.DOMAIN);
        kv(domainKey).filter(value -> accept(domainKey, value, ConsulValues.isHostName(value.strip()),
                "not a DNS name")).map(value -> value.strip().toLowerCase(Locale.ROOT))
                .filter(host -> !hosts.contains(host)).ifPresent(hosts::add);
        return List.copyOf(hosts);
    }

    /** The API server checks the path; {@code render} reads bindings it never saw. */
    private HealthCheck bindingHealthCheck() {
        var check = spec.routing.healthCheck;
        if (accept("spec.routing.healthCheck.path", check.path, ConsulValues.isHealthCheckPath(check.path),
                "not a path of URL characters starting with '/'")) {
            return new HealthCheck(check.method.name(), check.path);
        }
        return new HealthCheck(check.method.name(), "/");
    }

    private HealthCheck healthCheck(String service) {
        String key = keys.service(service, KvLayout.HEALTH_CHECK);
        return kv(key).flatMap(value -> {
            var own = ConsulValues.healthCheck(value, bindingHealthCheck.method());
            if (own.isEmpty()) {
                reject(key, value, "not '<METHOD> <path>' or '<path>' (GET, HEAD or OPTIONS; a path of URL"
                        + " characters starting with '/')");
            }
            return own;
        }).orElse(bindingHealthCheck);
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
