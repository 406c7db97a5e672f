package io.haproxyconsul.operator.validate;

/**
 * What {@code haproxy -c} said of a candidate.
 *
 * @param errorLine HAProxy's first alert, with the temporary path replaced by {@code haproxy.cfg}; null when valid
 */
public record ValidationResult(boolean valid, String errorLine) {
}
