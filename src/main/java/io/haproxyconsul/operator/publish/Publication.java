package io.haproxyconsul.operator.publish;

import io.haproxyconsul.operator.api.v1alpha1.PublishedConfig;
import io.haproxyconsul.operator.api.v1alpha1.RemovalHold;

/** What became of a binding's candidate configuration: the outcome of rendering, checking and publishing it. */
public sealed interface Publication {

    /** The candidate is the current configuration: published now ({@code isNew}) or already before. */
    record Published(PublishedConfig config, boolean isNew) implements Publication {
    }

    /** The user's template does not parse or render. */
    record TemplateInvalid(String message) implements Publication {
    }

    /** {@code haproxy -c} refused the candidate; nothing was published. */
    record Refused(String hash, String haproxyError) implements Publication {
    }

    /** The candidate, or its structure, was refused before: it is not checked or rolled out again. */
    record KnownBad(String hash) implements Publication {
    }

    /** Even compressed, the candidate does not fit in a ConfigMap. */
    record TooLarge(String hash, String message) implements Publication {
    }

    /** The candidate removes too much of what is served; the current configuration keeps serving. */
    record Held(RemovalHold hold) implements Publication {
    }
}
