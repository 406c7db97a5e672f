package io.haproxyconsul.operator.publish;

import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBinding;
import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBindingStatus;
import io.haproxyconsul.operator.api.v1alpha1.PublishedConfig;
import io.haproxyconsul.operator.api.v1alpha1.RemovalGuardSpec;
import io.haproxyconsul.operator.metrics.OperatorMetrics;
import io.haproxyconsul.operator.render.CheckCopy;
import io.haproxyconsul.operator.render.RenderedConfig;
import io.haproxyconsul.operator.validate.HaproxyValidator;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

/**
 * The publishing stage: a candidate that is new, not known to be bad, and does not remove too much of what is
 * served is checked with {@code haproxy -c} and, when HAProxy accepts it, published as an immutable ConfigMap. The
 * ConfigMap is written while HAProxy checks (the API server's write and the check take about as long), and one that
 * HAProxy refused is deleted again: it is published only in that the status names it, which it never does then. A
 * candidate that differs from a configuration HAProxy accepted only in server lines the routing model vouches for
 * (the built-in template's, with IP addresses) is not checked again: nothing HAProxy could refuse has changed; of
 * another such candidate HAProxy checks one server line of each kind per backend ({@link CheckCopy}). It
 * reads the prior status (what is served, what was refused) and says what it did; it writes no status.
 */
@ApplicationScoped
public class ConfigPublisher {

    private final HaproxyValidator validator;
    private final PublishedConfigMaps configMaps;
    private final OperatorMetrics metrics;
    private final BackgroundWrites background;
    private final Executor writes;
    private final Clock clock;

    @Inject
    public ConfigPublisher(HaproxyValidator validator, PublishedConfigMaps configMaps, OperatorMetrics metrics,
            BackgroundWrites background) {
        this(validator, configMaps, metrics, background, Executors.newCachedThreadPool(task -> {
            var thread = new Thread(task, "hco-config-writes");
            thread.setDaemon(true);
            return thread;
        }), Clock.systemUTC());
    }

    /** @param writes where ConfigMaps are written while {@code haproxy -c} runs on the calling thread */
    ConfigPublisher(HaproxyValidator validator, PublishedConfigMaps configMaps, OperatorMetrics metrics,
            BackgroundWrites background, Executor writes, Clock clock) {
        this.validator = validator;
        this.configMaps = configMaps;
        this.metrics = metrics;
        this.background = background;
        this.writes = writes;
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
        var stored = CompletableFuture.supplyAsync(() -> metrics.timeConfigMapWrite(
                () -> configMaps.publish(binding, candidate)), writes);
        if (validatedBefore(candidate, prior)) {
            metrics.validationSkipped();
        } else {
            var result = metrics.timeValidation(() -> validator.validate(checked(candidate)));
            if (!result.valid()) {
                metrics.validationFailed("operator");
                withdraw(binding, prior, stored);
                return new Publication.Refused(hash, result.errorLine());
            }
        }
        PublishedConfig published;
        try {
            published = stored.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof PublishedConfigMaps.ConfigTooLargeException tooLarge) {
                return new Publication.TooLarge(hash, tooLarge.getMessage());
            }
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
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

    /**
     * What {@code haproxy -c} reads of a candidate: all of it, or, when the model vouches for its server lines, one
     * server line of each kind per backend ({@link CheckCopy}).
     */
    private static String checked(RenderedConfig candidate) {
        return candidate.checkedServerLines() ? CheckCopy.of(candidate.text(), candidate.structure().runtimeBackends())
                : candidate.text();
    }

    /**
     * Deletes the ConfigMap of a candidate HAProxy refused, once written; never one the status names (the same
     * bytes published before, which pods may load).
     */
    private void withdraw(HaproxyConsulBinding binding, HaproxyConsulBindingStatus prior,
            CompletableFuture<PublishedConfig> stored) {
        var named = namedByStatus(prior, prior.currentConfig);
        background.submit("deleting the configuration HAProxy refused for " + binding.getMetadata().getNamespace()
                + "/" + binding.getMetadata().getName(), () -> {
                    PublishedConfig refused;
                    try {
                        refused = stored.join();
                    } catch (CompletionException e) {
                        return;
                    }
                    if (!named.contains(refused.configMapName)) {
                        configMaps.withdraw(binding, refused.configMapName);
                    }
                });
    }

    /** The ConfigMaps of {@code first} and of the configurations the status keeps for the fleet to return to. */
    private static Set<String> namedByStatus(HaproxyConsulBindingStatus prior, PublishedConfig first) {
        Set<String> names = new HashSet<>();
        Stream.of(first, prior.lastKnownGoodConfig, prior.fleet == null ? null : prior.fleet.podConfig,
                prior.fleet == null ? null : prior.fleet.lastKnownGoodPodConfig).filter(Objects::nonNull)
                .forEach(config -> names.add(config.configMapName));
        return names;
    }

    private static String approved(HaproxyConsulBinding binding) {
        var annotations = binding.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(RemovalGuardSpec.APPROVE_ANNOTATION);
    }

    /** Deletes old configurations, never one that is served, known good or loaded by the pods. */
    private void prune(HaproxyConsulBinding binding, HaproxyConsulBindingStatus prior, PublishedConfig published) {
        var keep = namedByStatus(prior, published);
        int historyLimit = binding.getSpec().rollout.historyLimit;
        background.submit("pruning the configurations of " + binding.getMetadata().getNamespace() + "/"
                + binding.getMetadata().getName(), () -> configMaps.prune(binding, historyLimit, keep));
    }
}
