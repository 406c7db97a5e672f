package io.haproxyconsul.operator.render;

import java.util.HashMap;
import java.util.Map;

/**
 * What one render drew in its {@code {#memo}} blocks, and what the render before it drew: it recalls a block's text
 * from the render before and remembers what this render used, so that it keeps exactly one configuration's
 * blocks. Used by one render at a time.
 */
final class RenderMemory {

    static final String ATTRIBUTE = "hco.renderMemory";

    private final Map<Object, String> before;
    private final Map<Object, String> now;

    RenderMemory(Map<Object, String> before) {
        this.before = before;
        this.now = new HashMap<>(Math.max(16, before.size() * 4 / 3 + 1));
    }

    /** The text drawn for this value by the render before, or earlier in this one; null when neither drew it. */
    String recall(Object value) {
        String text = now.get(value);
        if (text == null) {
            text = before.get(value);
            if (text != null) {
                now.put(value, text);
            }
        }
        return text;
    }

    void remember(Object value, String text) {
        now.put(value, text);
    }

    /** What the next render of the same kind starts from. */
    Map<Object, String> blocks() {
        return now;
    }
}
