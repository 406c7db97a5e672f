package io.haproxyconsul.operator.reconciler;

import static io.haproxyconsul.operator.reconciler.BindingConditions.CONFIG_VALID;
import static io.haproxyconsul.operator.reconciler.BindingConditions.CONSUL_SYNCED;
import static io.haproxyconsul.operator.reconciler.BindingConditions.READY;
import static io.haproxyconsul.operator.reconciler.BindingConditions.ROLLED_OUT;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBinding;
import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBindingStatus;
import io.haproxyconsul.operator.api.v1alpha1.PublishedConfig;
import io.haproxyconsul.operator.consul.CatalogSnapshot;
import io.haproxyconsul.operator.consul.ConsulWatches;
import io.haproxyconsul.operator.fleet.DisruptionBudgetRequested;
import io.haproxyconsul.operator.fleet.FleetDeployment;
import io.haproxyconsul.operator.fleet.FleetDisruptionBudget;
import io.haproxyconsul.operator.fleet.FleetRequested;
import io.haproxyconsul.operator.fleet.FleetService;
import io.haproxyconsul.operator.fleet.Rollout;
import io.haproxyconsul.operator.metrics.OperatorMetrics;
import io.haproxyconsul.operator.model.RoutingModel;
import io.haproxyconsul.operator.model.RoutingModelBuilder;
import io.haproxyconsul.operator.publish.PublishedConfigMaps;
import io.haproxyconsul.operator.render.ConfigRenderer.InvalidTemplateException;
import io.haproxyconsul.operator.render.ConfigRenderer;
import io.haproxyconsul.operator.render.RenderedConfig;
import io.haproxyconsul.operator.validate.HaproxyValidator;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.AggregatedOperatorException;
import io.javaoperatorsdk.operator.OperatorException;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The loop of a binding: watch Consul, build the routing model, render it, validate it with HAProxy, publish it
 * as an immutable ConfigMap, and say in status what happened. Nothing reaches a ConfigMap without passing
 * {@code haproxy -c}; when a candidate fails, the current configuration stays.
 */
@ControllerConfiguration(name = "haproxyconsulbinding")
@Workflow(explicitInvocation = true, dependents = {
        @Dependent(name = "deployment", type = FleetDeployment.class, activationCondition = FleetRequested.class),
        @Dependent(name = "service", type = FleetService.class, activationCondition = FleetRequested.class),
        @Dependent(name = "pdb", type = FleetDisruptionBudget.class,
                activationCondition = DisruptionBudgetRequested.class)})
public class HaproxyConsulBindingReconciler implements Reconciler<HaproxyConsulBinding>, Cleaner<HaproxyConsulBinding> {

    static final int MAX_REJECTED_VALUES = 20;

    private final BindingInputs inputs;
    private final ConfigRenderer renderer;
    private final HaproxyValidator validator;
    private final PublishedConfigMaps configMaps;
    private final BindingEvents events;
    private final BackgroundWrites background;
    private final ConsulChangeEventSource consulChanges;
    private final OperatorMetrics metrics;
    private final Clock clock = Clock.systemUTC();

    public HaproxyConsulBindingReconciler(BindingInputs inputs, ConfigRenderer renderer, HaproxyValidator validator,
            PublishedConfigMaps configMaps, BindingEvents events, BackgroundWrites background, ConsulWatches watches,
            Vertx vertx, OperatorMetrics metrics) {
        this.inputs = inputs;
        this.renderer = renderer;
        this.validator = validator;
        this.configMaps = configMaps;
        this.events = events;
        this.background = background;
        this.consulChanges = new ConsulChangeEventSource(watches, vertx);
        this.metrics = metrics;
    }

    @Override
    public List<EventSource<?, HaproxyConsulBinding>> prepareEventSources(EventSourceContext<HaproxyConsulBinding> context) {
        // Pods say what the Deployment does not: an init step that rejected the configuration, and HAProxy's words.
        var pods = new InformerEventSource<>(InformerEventSourceConfiguration.from(Pod.class, HaproxyConsulBinding.class)
                .withName("fleet-pods").withNamespacesInheritedFromController()
                .withLabelSelector(PublishedConfigMaps.BINDING_LABEL)
                .withSecondaryToPrimaryMapper(pod -> Set.of(new ResourceID(
                        pod.getMetadata().getLabels().get(PublishedConfigMaps.BINDING_LABEL),
                        pod.getMetadata().getNamespace())))
                .build(), context);
        return List.of(consulChanges, pods);
    }

    @Override
    public UpdateControl<HaproxyConsulBinding> reconcile(HaproxyConsulBinding binding,
            Context<HaproxyConsulBinding> context) {
        var status = statusOf(binding);
        status.observedGeneration = binding.getMetadata().getGeneration();
        var id = ResourceID.fromResource(binding);
        try {
            consulChanges.follow(id, inputs.question(binding), binding.getSpec().rollout.debounce);
        } catch (BindingInputs.InvalidInputException e) {
            return invalidSpec(binding, e.getMessage());
        }

        Optional<CatalogSnapshot> snapshot = context.getSecondaryResource(CatalogSnapshot.class);
        reportConsul(binding, snapshot.isPresent(), consulChanges.unreachable(id));
        if (snapshot.isEmpty()) {
            setReady(binding);
            return UpdateControl.patchStatus(binding);
        }

        RoutingModel model = RoutingModelBuilder.build(binding.getSpec(), snapshot.get());
        status.rejectedValues = model.rejections().stream().limit(MAX_REJECTED_VALUES).map(Object::toString).toList();
        RenderedConfig candidate;
        try {
            var template = inputs.template(binding);
            candidate = metrics.timeRender(() -> template.map(text -> renderer.render(text, model))
                    .orElseGet(() -> renderer.renderDefault(model)));
        } catch (BindingInputs.InvalidInputException | InvalidTemplateException e) {
            configInvalid(binding, "TemplateInvalid", e.getMessage(), null);
            setReady(binding);
            return UpdateControl.patchStatus(binding);
        }
        publishIfValid(binding, candidate, model);
        rollOut(binding, context);
        setReady(binding);
        return UpdateControl.patchStatus(binding);
    }

    /** Points the fleet at the current configuration and follows it there, or back to the last known good one. */
    private void rollOut(HaproxyConsulBinding binding, Context<HaproxyConsulBinding> context) {
        var status = binding.getStatus();
        if (binding.getSpec().fleet == null || status.currentConfig == null) {
            status.fleet = null;
            status.conditions.removeIf(c -> ROLLED_OUT.equals(c.getType()));
            return;
        }
        var workflow = context.managedWorkflowAndDependentResourceContext();
        if (!status.currentConfig.hash.equals(status.fleet == null ? null : status.fleet.targetConfigHash)) {
            metrics.rolloutStarted();
        }
        workflow.reconcileManagedWorkflow();
        var rollout = Rollout.assess(context.getSecondaryResource(Deployment.class).orElse(null),
                context.getSecondaryResources(Pod.class), status.currentConfig.hash);
        status.fleet = rollout.toStatus();
        if (rollout.failure().isPresent()) {
            if (rollBack(binding, rollout.failure().get())) {
                // Points the Deployment back at the last known good ConfigMap.
                workflow.reconcileManagedWorkflow();
                status.fleet.targetConfigHash = status.currentConfig.hash;
            }
        } else if (rollout.complete()) {
            if (status.lastKnownGoodConfig == null || !status.lastKnownGoodConfig.hash.equals(rollout.targetHash())) {
                metrics.rolloutCompleted();
            }
            status.lastKnownGoodConfig = status.currentConfig;
            BindingConditions.set(binding, ROLLED_OUT, true, "RolledOut", "all " + rollout.desired()
                    + " pods run configuration " + rollout.targetHash(), clock);
        } else {
            BindingConditions.set(binding, ROLLED_OUT, false, "RollingOut", rollout.updated() + " of "
                    + rollout.desired() + " pods on configuration " + rollout.targetHash() + ", " + rollout.ready()
                    + " ready", clock);
        }
    }

    /**
     * The pods refused a configuration that passed the operator's own check (another HAProxy version, say): the
     * fleet goes back to the last known good one, and the refused hash is not tried again until Consul, KV or
     * the spec change.
     *
     * @return whether there was a last known good configuration to return to
     */
    private boolean rollBack(HaproxyConsulBinding binding, String failure) {
        var status = binding.getStatus();
        String bad = status.currentConfig.hash;
        status.rejectedConfigHash = bad;
        configInvalid(binding, "FleetValidationFailed", "the HAProxy pods rejected configuration " + bad + ": "
                + failure, failure);
        var good = status.lastKnownGoodConfig;
        if (good == null || good.hash.equals(bad)) {
            BindingConditions.set(binding, ROLLED_OUT, false, "RolloutFailed", "configuration " + bad
                    + " failed in the pods and there is no last known good configuration to return to", clock);
            return false;
        }
        status.currentConfig = good;
        metrics.validationFailed("pods");
        metrics.rolledBack();
        if (BindingConditions.set(binding, ROLLED_OUT, false, "RolledBack", "configuration " + bad
                + " failed in the pods; returning to the last known good configuration " + good.hash, clock)) {
            events.warning(binding, "RolledBack", "returning the fleet to configuration " + good.hash + ": " + failure);
        }
        return true;
    }

    private void publishIfValid(HaproxyConsulBinding binding, RenderedConfig candidate, RoutingModel model) {
        var status = binding.getStatus();
        String hash = candidate.hash().value();
        if (status.currentConfig != null && hash.equals(status.currentConfig.hash)) {
            configValid(binding, "Published", "configuration " + hash + " is published");
            return;
        }
        if (hash.equals(status.rejectedConfigHash)) {
            return;
        }
        if (!model.rejections().isEmpty()) {
            events.warning(binding, "ConsulValueRejected", model.rejections().size() + " value(s) left out: "
                    + model.rejections().stream().limit(5).map(Object::toString).toList());
        }
        var result = metrics.timeValidation(() -> validator.validate(candidate.text()));
        if (!result.valid()) {
            metrics.validationFailed("operator");
            status.rejectedConfigHash = hash;
            configInvalid(binding, "ValidationFailed", "HAProxy rejected configuration " + hash + ": "
                    + result.errorLine(), result.errorLine());
            return;
        }
        PublishedConfig published;
        try {
            published = configMaps.publish(binding, candidate);
        } catch (PublishedConfigMaps.ConfigTooLargeException e) {
            status.rejectedConfigHash = hash;
            configInvalid(binding, "ConfigTooLarge", e.getMessage(), null);
            return;
        }
        metrics.configPublished();
        status.currentConfig = published;
        if (binding.getSpec().fleet == null) {
            // With a fleet, a configuration is known good once the pods run it (see rollOut).
            status.lastKnownGoodConfig = published;
        }
        status.lastValidationError = null;
        status.rejectedConfigHash = null;
        configValid(binding, "Published", "configuration " + hash + " is published");
        events.normal(binding, "ConfigPublished", "published " + published.configMapName + " (" + published.services
                + " services, " + published.servers + " servers, " + published.bytes + " bytes)");
        Set<String> keep = new HashSet<>();
        keep.add(published.configMapName);
        if (status.lastKnownGoodConfig != null) {
            keep.add(status.lastKnownGoodConfig.configMapName);
        }
        int historyLimit = binding.getSpec().rollout.historyLimit;
        background.submit("pruning the configurations of " + binding.getMetadata().getNamespace() + "/"
                + binding.getMetadata().getName(), () -> configMaps.prune(binding, historyLimit, keep));
    }

    @Override
    public DeleteControl cleanup(HaproxyConsulBinding binding, Context<HaproxyConsulBinding> context) {
        consulChanges.forget(ResourceID.fromResource(binding));
        return DeleteControl.defaultDelete();
    }

    @Override
    public ErrorStatusUpdateControl<HaproxyConsulBinding> updateErrorStatus(HaproxyConsulBinding binding,
            Context<HaproxyConsulBinding> context, Exception e) {
        statusOf(binding);
        String message = errorMessage(e);
        if (BindingConditions.set(binding, READY, false, "ReconcileError", message, clock)) {
            events.warning(binding, "ReconcileError", message);
        }
        return ErrorStatusUpdateControl.patchStatus(binding);
    }

    /** What failed, without stack traces: per owned object when the fleet's workflow failed. */
    static String errorMessage(Throwable e) {
        Throwable cause = e;
        while (cause instanceof OperatorException && !(cause instanceof AggregatedOperatorException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof AggregatedOperatorException aggregated) {
            return aggregated.getAggregatedExceptions().entrySet().stream()
                    .map(entry -> entry.getKey() + ": " + errorMessage(entry.getValue())).sorted()
                    .collect(Collectors.joining("; "));
        }
        return Objects.requireNonNullElse(cause.getMessage(), cause.getClass().getSimpleName());
    }

    private UpdateControl<HaproxyConsulBinding> invalidSpec(HaproxyConsulBinding binding, String message) {
        if (BindingConditions.set(binding, CONSUL_SYNCED, false, "InvalidSpec", message, clock)) {
            events.warning(binding, "InvalidSpec", message);
        }
        BindingConditions.set(binding, READY, false, "InvalidSpec", message, clock);
        return UpdateControl.patchStatus(binding);
    }

    private void reportConsul(HaproxyConsulBinding binding, boolean synced, Optional<String> unreachable) {
        if (unreachable.isPresent()) {
            String message = "Consul cannot be reached" + (synced ? " (serving the last configuration): " : ": ")
                    + unreachable.get();
            if (BindingConditions.set(binding, CONSUL_SYNCED, false, "ConsulUnreachable", message, clock)) {
                events.warning(binding, "ConsulUnreachable", message);
            }
        } else if (!synced) {
            BindingConditions.set(binding, CONSUL_SYNCED, false, "WaitingForConsul",
                    "waiting for the first answers from Consul", clock);
        } else {
            BindingConditions.set(binding, CONSUL_SYNCED, true, "Synced", "watching Consul", clock);
        }
    }

    private void configValid(HaproxyConsulBinding binding, String reason, String message) {
        BindingConditions.set(binding, CONFIG_VALID, true, reason, message, clock);
    }

    private void configInvalid(HaproxyConsulBinding binding, String reason, String message, String haproxyError) {
        binding.getStatus().lastValidationError = haproxyError;
        if (BindingConditions.set(binding, CONFIG_VALID, false, reason, message, clock)) {
            events.warning(binding, reason, message);
        }
    }

    /** Ready: a configuration is published and it reflects the latest candidate. */
    private void setReady(HaproxyConsulBinding binding) {
        var status = binding.getStatus();
        var configValid = status.conditions.stream().filter(c -> CONFIG_VALID.equals(c.getType())).findFirst();
        var rolledOut = status.conditions.stream().filter(c -> ROLLED_OUT.equals(c.getType())).findFirst();
        if (status.currentConfig == null && configValid.isEmpty()) {
            BindingConditions.set(binding, READY, false, "WaitingForConsul", "no configuration published yet", clock);
        } else if (configValid.isPresent() && "False".equals(configValid.get().getStatus())) {
            BindingConditions.set(binding, READY, false, configValid.get().getReason(), configValid.get().getMessage(),
                    clock);
        } else if (rolledOut.isPresent() && "False".equals(rolledOut.get().getStatus())) {
            BindingConditions.set(binding, READY, false, rolledOut.get().getReason(), rolledOut.get().getMessage(),
                    clock);
        } else {
            BindingConditions.set(binding, READY, true, "Published", "configuration " + status.currentConfig.hash
                    + " is published in ConfigMap " + status.currentConfig.configMapName
                    + (rolledOut.isPresent() ? " and runs in every pod" : ""), clock);
        }
    }

    private static HaproxyConsulBindingStatus statusOf(HaproxyConsulBinding binding) {
        if (binding.getStatus() == null) {
            binding.setStatus(new HaproxyConsulBindingStatus());
        }
        return binding.getStatus();
    }
}
