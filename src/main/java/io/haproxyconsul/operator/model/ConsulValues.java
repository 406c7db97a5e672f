package io.haproxyconsul.operator.model;

import io.haproxyconsul.operator.api.v1alpha1.HealthCheckSpec;
import io.haproxyconsul.operator.model.RoutingModel.HealthCheck;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The checks every value from Consul, KV or template parameters passes before it may reach haproxy.cfg. A value
 * either matches a strict shape (a name, an address, a number) and is printed as is, or it is refused.
 */
public final class ConsulValues {

    /** Dot-separated labels (Consul allows dots, e.g. web.v2): each label is then a DNS label of the host name. */
    private static final Pattern SERVICE_NAME = Pattern.compile(
            "[A-Za-z0-9]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)*");
    static final int HOST_NAME_MAX = 253;
    private static final Pattern DNS_NAME = Pattern.compile(
            "(?i)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\\.)*[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern IPV6_GROUP = Pattern.compile("[0-9A-Fa-f]{1,4}");
    private static final Pattern SERVER_NAME = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
    private static final Pattern COOKIE_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final Pattern SYSLOG_TARGET = Pattern.compile("[A-Za-z0-9_.:/\\[\\]@-]{1,255}");
    private static final Set<String> LOG_LEVELS = Set.of("emerg", "alert", "crit", "err", "warning", "notice", "info",
            "debug");
    /** Keywords that open a section: a line starting with one would escape the section it is injected into. */
    private static final Set<String> SECTION_KEYWORDS = Set.of("global", "defaults", "frontend", "backend", "listen",
            "userlist", "peers", "resolvers", "mailers", "program", "http-errors", "ring", "cache", "fcgi-app",
            "crt-store", "traces");
    /** A snippet is a few directives; a larger value is more likely a file pasted by mistake (CRD and README say so). */
    static final int MAX_SNIPPET_BYTES = 8 * 1024;
    private static final Pattern HEALTH_CHECK_PATH = Pattern.compile(HealthCheckSpec.PATH);
    private static final Set<String> HEALTH_CHECK_METHODS = Arrays.stream(HealthCheckSpec.Method.values())
            .map(Enum::name).collect(Collectors.toUnmodifiableSet());
    /** The forms of Go's strconv.ParseBool, which the seed's template applied to its debug key. */
    private static final Set<String> TRUE = Set.of("1", "t", "T", "TRUE", "true", "True");
    private static final Set<String> FALSE = Set.of("0", "f", "F", "FALSE", "false", "False");

    private ConsulValues() {
    }

    public static Optional<String> serviceNameProblem(String name) {
        return name.length() <= HOST_NAME_MAX && SERVICE_NAME.matcher(name).matches() ? Optional.empty()
                : Optional.of("name is not dot-separated labels of 1-63 letters, digits, '-' or '_' (each starting and"
                        + " ending alphanumeric), 253 characters at most");
    }

    public static boolean isHostName(String value) {
        return value.length() <= HOST_NAME_MAX && DNS_NAME.matcher(value).matches();
    }

    /** An IPv4 or IPv6 literal or a DNS name, in the form HAProxy's server line expects. */
    public static Optional<String> serverAddress(String address) {
        if (isIpv4(address) || isHostName(address)) {
            return Optional.of(address);
        }
        if (isIpv6(address)) {
            return Optional.of("[" + address + "]");
        }
        return Optional.empty();
    }

    /**
     * Whether a {@link #serverAddress server address} is an IP literal: HAProxy parses it the same way whatever
     * the configuration says of resolving names ({@code init-addr}), so a server line of it is valid wherever
     * another one was.
     */
    public static boolean isIpLiteral(String serverAddress) {
        return serverAddress.startsWith("[") || isIpv4(serverAddress);
    }

    /**
     * Four numbers from 0 to 255 without leading zeros, dot-separated. By hand rather than by a pattern: it runs for
     * every server of every render.
     */
    static boolean isIpv4(String address) {
        int at = 0;
        for (int octet = 0; octet < 4; octet++) {
            if (octet > 0) {
                if (at >= address.length() || address.charAt(at) != '.') {
                    return false;
                }
                at++;
            }
            int start = at;
            int value = 0;
            while (at < address.length() && at - start < 3 && address.charAt(at) >= '0' && address.charAt(at) <= '9') {
                value = value * 10 + address.charAt(at) - '0';
                at++;
            }
            if (at == start || value > 255 || (at - start > 1 && address.charAt(start) == '0')) {
                return false;
            }
        }
        return at == address.length();
    }

    /**
     * An IPv6 literal as inet_pton reads it: eight groups of 1 to 4 hex digits, or fewer around one {@code ::},
     * the last two possibly written as an IPv4 address. HAProxy takes any other text for a host name, which it
     * cannot resolve: the server would be disabled rather than refused.
     */
    static boolean isIpv6(String address) {
        if (address.length() < 2 || address.length() > 45) {
            return false;
        }
        int gap = address.indexOf("::");
        if (gap >= 0 && address.indexOf("::", gap + 1) >= 0) {
            return false;
        }
        var groups = new ArrayList<String>();
        String head = gap < 0 ? address : address.substring(0, gap);
        String tail = gap < 0 ? "" : address.substring(gap + 2);
        if (!head.isEmpty()) {
            groups.addAll(List.of(head.split(":", -1)));
        }
        int headGroups = groups.size();
        if (!tail.isEmpty()) {
            groups.addAll(List.of(tail.split(":", -1)));
        }
        int count = 0;
        for (int i = 0; i < groups.size(); i++) {
            String group = groups.get(i);
            boolean last = i == groups.size() - 1 && (gap < 0 || i >= headGroups);
            if (last && isIpv4(group)) {
                count += 2;
            } else if (IPV6_GROUP.matcher(group).matches()) {
                count++;
            } else {
                return false;
            }
        }
        return gap < 0 ? count == 8 : count <= 7;
    }

    public static boolean isServerName(String value) {
        return SERVER_NAME.matcher(value).matches();
    }

    public static boolean isCookieName(String value) {
        return COOKIE_NAME.matcher(value).matches();
    }

    public static boolean isSyslogTarget(String value) {
        return SYSLOG_TARGET.matcher(value).matches();
    }

    public static boolean isLogLevel(String value) {
        return LOG_LEVELS.contains(value);
    }

    /** {@code <METHOD> <path>} or {@code <path>} (with {@code defaultMethod}), as {@code option httpchk} takes them. */
    public static Optional<HealthCheck> healthCheck(String value, String defaultMethod) {
        String[] words = value.strip().split("[ \t]+", -1);
        String method = words.length == 2 ? words[0] : defaultMethod;
        String path = words[words.length - 1];
        if (words.length > 2 || !HEALTH_CHECK_METHODS.contains(method) || !isHealthCheckPath(path)) {
            return Optional.empty();
        }
        return Optional.of(new HealthCheck(method, path));
    }

    public static boolean isHealthCheckPath(String path) {
        return path.length() <= HealthCheckSpec.PATH_MAX && HEALTH_CHECK_PATH.matcher(path).matches();
    }

    /** A boolean as the seed read it (Go's ParseBool: 1, t, true, TRUE, True, and their false forms). */
    public static Optional<Boolean> seedBoolean(String value) {
        String word = value.strip();
        return TRUE.contains(word) ? Optional.of(true) : FALSE.contains(word) ? Optional.of(false) : Optional.empty();
    }

    /** A plain single-line value: no control characters, no '#', which HAProxy would read as a comment. */
    public static boolean isSingleLine(String value) {
        return value.length() <= 1024 && value.chars().noneMatch(c -> c < 0x20 || c == 0x7f || c == '#');
    }

    /**
     * Directive lines injected into the global or defaults section (the seed's extension point): one directive per
     * line, kept inside the section.
     *
     * @return the lines to print, or the reason the whole value is refused
     */
    public static SnippetCheck snippet(String value) {
        if (value.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_SNIPPET_BYTES) {
            return SnippetCheck.refused("longer than 8 KiB (" + MAX_SNIPPET_BYTES + " bytes), left out whole");
        }
        var lines = new ArrayList<String>();
        for (String raw : value.split("\r?\n", -1)) {
            String line = raw.strip();
            if (line.isEmpty()) {
                continue;
            }
            if (line.chars().anyMatch(c -> (c < 0x20 && c != '\t') || c == 0x7f)) {
                return SnippetCheck.refused("contains control characters");
            }
            String keyword = line.split("[ \t]", 2)[0].toLowerCase(Locale.ROOT);
            if (SECTION_KEYWORDS.contains(keyword)) {
                return SnippetCheck.refused("line '" + abbreviate(line) + "' would open a new section");
            }
            lines.add(line);
        }
        return new SnippetCheck(List.copyOf(lines), null);
    }

    public record SnippetCheck(List<String> lines, String problem) {
        static SnippetCheck refused(String problem) {
            return new SnippetCheck(List.of(), problem);
        }
    }

    /** Shortens a hostile value for a message, with control characters made visible. */
    public static String abbreviate(String value) {
        var visible = new StringBuilder();
        value.codePoints().limit(60).forEach(c -> {
            if (c < 0x20 || c == 0x7f) {
                visible.append(String.format("\\x%02x", c));
            } else {
                visible.appendCodePoint(c);
            }
        });
        return value.codePointCount(0, value.length()) > 60 ? visible + "…" : visible.toString();
    }
}
