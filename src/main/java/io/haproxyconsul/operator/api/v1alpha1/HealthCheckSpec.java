package io.haproxyconsul.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/** HAProxy's health check of every server ({@code option httpchk <method> <path>}). */
public class HealthCheckSpec {

    public enum Method {
        GET,
        HEAD,
        OPTIONS
    }

    /**
     * A path and query of RFC 3986 characters that HAProxy reads as one plain word: no space, quote, backslash,
     * '#' or '$'. The same rule checks a service's own health check from KV.
     */
    public static final String PATH = "^/[A-Za-z0-9._~!&()*+,;=:@%/?-]*$";
    public static final int PATH_MAX = 256;

    @Default("OPTIONS")
    @JsonPropertyDescription("HTTP method of the check: GET, HEAD or OPTIONS (the default, as the seed image and HAProxy itself).")
    public Method method = Method.OPTIONS;

    @Default("/")
    @Pattern(PATH)
    @Size(max = PATH_MAX)
    @JsonPropertyDescription("Path (and query) the check requests, starting with '/'. A server answering 2xx or 3xx is up.")
    public String path = "/";
}
