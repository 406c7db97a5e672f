package io.haproxyconsul.operator.render;

/**
 * A candidate haproxy.cfg with the facts status reports about it.
 *
 * @param structure what of it running HAProxies can only take by loading it
 */
public record RenderedConfig(String text, ConfigHash hash, int services, int servers, ConfigStructure structure) {

    public long bytes() {
        return text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }
}
