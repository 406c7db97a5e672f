package io.haproxyconsul.operator.consul;

import java.util.Optional;

/**
 * Which service names Consul can be asked about. A name goes into the path of {@code /v1/health/service/<name>}:
 * Consul answers 400 for any control character in it even when escaped, and characters that give a URL its
 * structure ({@code / ? # % \}) are read as such by some proxy or router on the way however they are escaped. Such
 * a service is never read; the catalog lists it, and a binding that selects it is told why it is left out.
 */
final class ServiceNames {

    private static final String URL_STRUCTURE = "/?#%\\";

    private ServiceNames() {
    }

    /** Why Consul cannot be asked about this name, or empty when it can. */
    static Optional<String> unaskable(String name) {
        if (name.isEmpty()) {
            return Optional.of("Consul cannot be asked about a service with an empty name");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isISOControl(c)) {
                return Optional.of("Consul cannot be asked about a service whose name holds a control character");
            }
            if (URL_STRUCTURE.indexOf(c) >= 0) {
                return Optional.of("Consul cannot be asked about a service whose name holds '" + c + "'");
            }
        }
        return Optional.empty();
    }
}
