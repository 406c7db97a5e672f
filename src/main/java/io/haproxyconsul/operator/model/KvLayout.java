package io.haproxyconsul.operator.model;

import io.haproxyconsul.operator.api.v1alpha1.KvSpec;
import io.haproxyconsul.operator.model.RoutingModel.Rejection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;

/**
 * The KV keys a binding reads, laid out as the seed image laid them out: global keys under {@code spec.kv.prefix},
 * per-service keys under {@code spec.kv.servicePrefix}. The two prefixes may be equal or nested (by default
 * {@code service/haproxy} lies under {@code service}); a key belongs to the longer prefix it lies under.
 */
final class KvLayout {

    static final String MAXCONN = "maxconn";
    static final String LOG_SERVER = "logger/server";
    static final String LOG_LEVEL = "logger/level";
    static final String DEBUG = "debug";
    static final String GLOBAL = "global";
    static final String DEFAULTS = "defaults";
    static final String DOMAIN = "domain";
    static final String SERVER_COOKIE = "serverCookie";
    static final String HEALTH_CHECK = "healthCheck";

    private static final Set<String> GLOBAL_KEYS = Set.of(MAXCONN, LOG_SERVER, LOG_LEVEL, DEBUG, GLOBAL, DEFAULTS);
    private static final Set<String> SERVICE_KEYS = Set.of(DOMAIN, SERVER_COOKIE, HEALTH_CHECK);

    private final String prefix;
    private final String servicePrefix;

    KvLayout(KvSpec kv) {
        this.prefix = kv.prefix + "/";
        this.servicePrefix = kv.servicePrefix + "/";
    }

    String global(String name) {
        return prefix + name;
    }

    String service(String service, String name) {
        return servicePrefix + service + "/" + name;
    }

    /**
     * The keys under the prefix that nothing reads, each once, in key order: a misspelt key, the operator's former
     * names, or a seed key whose setting lives in the spec now. Keys of the service prefix are never named: other
     * services' (and other tools') keys live there.
     *
     * @param published the services this binding publishes: the seed's {@code <prefix>/domain} is read as a
     *     service's extra host only when the prefix ends in that service's name
     */
    List<Rejection> unread(SortedMap<String, String> kv, Set<String> published) {
        var unread = new ArrayList<Rejection>();
        for (String key : kv.keySet()) {
            if (!key.startsWith(prefix) || key.endsWith("/") || ownedByServicePrefix(key)) {
                continue;
            }
            String name = key.substring(prefix.length());
            var serviceKey = serviceKey(key);
            boolean read = GLOBAL_KEYS.contains(name) || serviceKey.isPresent() && (!name.equals(DOMAIN)
                    || published.contains(serviceKey.get()));
            if (!read) {
                unread.add(new Rejection(key, notRead(name)));
            }
        }
        return List.copyOf(unread);
    }

    private boolean ownedByServicePrefix(String key) {
        return servicePrefix.length() > prefix.length() && key.startsWith(servicePrefix);
    }

    /** The service a per-service key belongs to, when {@code key} is one. */
    private Optional<String> serviceKey(String key) {
        if (!key.startsWith(servicePrefix)) {
            return Optional.empty();
        }
        String[] parts = key.substring(servicePrefix.length()).split("/", -1);
        return parts.length == 2 && SERVICE_KEYS.contains(parts[1]) ? Optional.of(parts[0]) : Optional.empty();
    }

    private String notRead(String name) {
        return Map.of(
                "syslog/address", "not read: the syslog address is " + prefix + LOG_SERVER + ", the seed image's key",
                "syslog/level", "not read: the log level is " + prefix + LOG_LEVEL + ", the seed image's key",
                DOMAIN, "not read: the domain is spec.routing.domain")
                .getOrDefault(name, "not a key the operator reads (under " + prefix + " it reads " + MAXCONN + ", "
                        + LOG_SERVER + ", " + LOG_LEVEL + ", " + DEBUG + ", " + GLOBAL + " and " + DEFAULTS + ")");
    }
}
