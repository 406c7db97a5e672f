package io.haproxyconsul.operator.publish;

import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBinding;
import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBindingStatus;
import io.haproxyconsul.operator.api.v1alpha1.PublishedConfig;
import io.haproxyconsul.operator.api.v1alpha1.RemovalGuardSpec;
import io.haproxyconsul.operator.metrics.OperatorMetrics;
import io.haproxyconsul.operator.render.RenderedConfig;
import io.haproxyconsul.operator.validate.HaproxyValidator;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The publishing stage: a candidate that is new, not known to be bad, and does not remove too much of what is
 * served is checked with {@code haproxy -c} and, when HAProxy accepts it, stored as an immutable ConfigMap. A
 * candidate that differs from a configuration HAProxy accepted only in server lines the routing model vouches for
 * (the built-in template's, with IP addresses) is not checked again: nothing HAProxy could refuse has changed. It
 * reads the prior status (what is served, what was refused) and says what it did; it writes no status.
 */
@ApplicationScoped
public class ConfigPublisher {

    private final HaproxyValidator validator;
    private final PublishedConfigMaps configMaps;
    private final OperatorMetrics metrics;
    private final BackgroundWrites background;
    private final Clock clock;

    @Inject
    public ConfigPublisher(HaproxyValidator validator, PublishedConfigMaps configMaps, OperatorMetrics metrics,
            BackgroundWrites background) {
        this(validator, configMaps, metrics, background, Clock.systemUTC());
    }

    ConfigPublisher(HaproxyValidator validator, PublishedConfigMaps configMaps, OperatorMetrics metrics,
            BackgroundWrites background, Clock clock) {
        this.validator = validator;
        this.configMaps = configMaps;
        this.metrics = metrics;
        this.background = background;
        this.clock = clock;
    }

    public Publication publish(HaproxyConsulBinding binding, RenderedConfig candidate,
            HaproxyConsulBindingStatus prior) {
        String hash = candidate.hash().value();
        if (prior.currentConfig != null && hash.equals(prior.currentConfig.hash)) {
            return new Publication.Published(prior.currentConfig, false);
        }
        if (hash.equals(prior.rejectedConfigHash)
                || candidate.structure().hash().equals(prior.rejectedStructureHash)) {
            return new Publication.KnownBad(hash);
        }
        var hold = RemovalGuard.check(prior.currentConfig, candidate, binding.getSpec().rollout.removalGuard,
                prior.removalHold, approved(binding), clock.instant());
        if (hold.isPresent()) {
            return new Publication.Held(hold.get());
        }
        if (validatedBefore(candidate, prior)) {
            metrics.validationSkipped();
        } else {
            var result = metrics.timeValidation(() -> validator.validate(candidate.text()));
            if (!result.valid()) {
                metrics.validationFailed("operator");
                return new Publication.Refused(hash, result.errorLine());
            }
        }
        PublishedConfig published;
        try {
            published = configMaps.publish(binding, candidate);
        } catch (PublishedConfigMaps.ConfigTooLargeException e) {
            return new Publication.TooLarge(hash, e.getMessage());
        }
        metrics.configPublished();
        prune(binding, prior, published);
        return new Publication.Published(published, true);
    }

    /**
     * Whether {@code haproxy -c} took all of the candidate that it could refuse before: the structure of the
     * current or the last known good configuration (every line but the servers of the model's backends), and
     * server lines that are valid in any configuration of that structure.
     */
    private static boolean validatedBefore(RenderedConfig candidate, HaproxyConsulBindingStatus prior) {
        return candidate.checkedServerLines() && Stream.of(prior.currentConfig, prior.lastKnownGoodConfig)
                .filter(Objects::nonNull).anyMatch(config -> candidate.structure().hash().equals(config.structureHash));
    }

    private static String approved(HaproxyConsulBinding binding) {
        var annotations = binding.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(RemovalGuardSpec.APPROVE_ANNOTATION);
    }

    /** Deletes old configurations, never one that is served, known good or loaded by the pods. */
    private void prune(HaproxyConsulBinding binding, HaproxyConsulBindingStatus prior, PublishedConfig published) {
        Set<String> keep = new HashSet<>();
        Stream.of(published, prior.lastKnownGoodConfig, prior.fleet == null ? null : prior.fleet.podConfig,
                prior.fleet == null ? null : prior.fleet.lastKnownGoodPodConfig).filter(Objects::nonNull)
                .forEach(config -> keep.add(config.configMapName));
        int historyLimit = binding.getSpec().rollout.historyLimit;
        background.submit("pruning the configurations of " + binding.getMetadata().getNamespace() + "/"
                + binding.getMetadata().getName(), () -> configMaps.prune(binding, historyLimit, keep));
    }
}
