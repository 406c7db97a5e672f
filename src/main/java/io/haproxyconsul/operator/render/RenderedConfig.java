package io.haproxyconsul.operator.render;

import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * A candidate haproxy.cfg with the facts status reports about it.
 *
 * @param bytes its length in UTF-8
 * @param structure what of it running HAProxies can only take by loading it
 * @param checkedServerLines whether every server line of the routing model's backends is the built-in template's,
 *        drawn from an IP address and a port that the routing model checked: HAProxy takes such lines in any
 *        configuration whose other lines it took, so a candidate of a structure {@code haproxy -c} accepted before
 *        needs no check of its own. Never true for a user's template, whose server lines may print anything.
 */
public record RenderedConfig(String text, ConfigHash hash, long bytes, int services, int servers,
        ConfigStructure structure, boolean checkedServerLines) {

    /**
     * Encodes the text once for its hash, its length and its structure.
     *
     * @param template identifies the template (see {@link ConfigStructure#of})
     * @param modelBackends the names of the routing model's backends
     */
    public static RenderedConfig of(String text, int services, int servers, String template,
            Set<String> modelBackends, boolean checkedServerLines) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        return new RenderedConfig(text, ConfigHash.of(utf8), utf8.length, services, servers,
                ConfigStructure.of(template, utf8, modelBackends), checkedServerLines);
    }
}
