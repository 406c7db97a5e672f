package io.haproxyconsul.operator.validate;

import java.util.regex.Pattern;

/** Reads HAProxy's check output the way a person would: the first alert that points at a line. */
public final class HaproxyOutput {

    /** {@code [ALERT]    (1234) : config : } — the level, the pid and the component, kept out of messages. */
    private static final Pattern ALERT_PREFIX = Pattern.compile("^\\[ALERT\\]\\s*(\\(\\d+\\))?\\s*:\\s*(config\\s*:\\s*)?");

    private HaproxyOutput() {
    }

    public static String firstAlert(String output) {
        String fallback = null;
        for (String line : output.split("\n")) {
            if (!line.startsWith("[ALERT]")) {
                continue;
            }
            String message = ALERT_PREFIX.matcher(line).replaceFirst("").strip();
            if (message.contains("parsing [")) {
                return message;
            }
            if (fallback == null && !message.startsWith("Fatal errors found")) {
                fallback = message;
            }
        }
        if (fallback != null) {
            return fallback;
        }
        String trimmed = output.strip();
        return trimmed.isEmpty() ? "haproxy -c failed without output" : trimmed.lines().reduce((a, b) -> b).orElse("");
    }
}
