package io.haproxyconsul.operator.render;

/** A candidate haproxy.cfg with the facts status reports about it. */
public record RenderedConfig(String text, ConfigHash hash, int services, int servers) {

    public long bytes() {
        return text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }
}
