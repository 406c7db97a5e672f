package io.haproxyconsul.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

public class KvSpec {

    /** Segments joined by '/'; the length is a separate limit, as the API server's RE2 caps repeat counts at 1000. */
    static final String KEY_PATH = "^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$";
    public static final String DEFAULT_PREFIX = "service/haproxy";
    public static final String DEFAULT_SERVICE_PREFIX = "service";

    @Default(DEFAULT_PREFIX)
    @Pattern(KEY_PATH)
    @Size(max = 512)
    @JsonPropertyDescription("KV prefix of global settings, the seed image's keys: <prefix>/maxconn, <prefix>/logger/server (syslog address), <prefix>/logger/level, <prefix>/debug (true: log level debug), <prefix>/global and <prefix>/defaults (directive lines added to those sections, at most 8 KiB each; a longer value is left out whole). Every value is checked; a refused value, and any other key under the prefix, is named in status.rejectedValues.")
    public String prefix = DEFAULT_PREFIX;

    @Default(DEFAULT_SERVICE_PREFIX)
    @Pattern(KEY_PATH)
    @Size(max = 512)
    @JsonPropertyDescription("KV prefix of per-service options: <servicePrefix>/<service>/domain (an extra host name), <servicePrefix>/<service>/serverCookie (the sticky cookie name of a 'stateful' service) and <servicePrefix>/<service>/healthCheck ('<METHOD> <path>' or '<path>'). May be the same as prefix or contain it (the default).")
    public String servicePrefix = DEFAULT_SERVICE_PREFIX;
}
