package io.haproxyconsul.operator.reconciler;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBinding;
import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBindingStatus;
import io.haproxyconsul.operator.api.v1alpha1.PublishedConfig;
import io.haproxyconsul.operator.consul.CatalogSnapshot;
import io.haproxyconsul.operator.consul.ConsulWatches;
import io.haproxyconsul.operator.fleet.DisruptionBudgetRequested;
import io.haproxyconsul.operator.fleet.FleetDeployment;
import io.haproxyconsul.operator.fleet.FleetDisruptionBudget;
import io.haproxyconsul.operator.fleet.FleetOutcome;
import io.haproxyconsul.operator.fleet.FleetRequested;
import io.haproxyconsul.operator.fleet.FleetService;
import io.haproxyconsul.operator.fleet.FleetTarget;
import io.haproxyconsul.operator.fleet.Rollout;
import io.haproxyconsul.operator.metrics.OperatorMetrics;
import io.haproxyconsul.operator.model.RoutingModel;
import io.haproxyconsul.operator.model.RoutingModelBuilder;
import io.haproxyconsul.operator.owned.OwnedObjects;
import io.haproxyconsul.operator.publish.ConfigPublisher;
import io.haproxyconsul.operator.publish.Publication;
import io.haproxyconsul.operator.render.ConfigRenderer;
import io.haproxyconsul.operator.render.ConfigRenderer.InvalidTemplateException;
import io.haproxyconsul.operator.render.RenderedConfig;
import io.haproxyconsul.operator.runtime.DesiredServers;
import io.haproxyconsul.operator.runtime.PodServers;
import io.javaoperatorsdk.operator.AggregatedOperatorException;
import io.javaoperatorsdk.operator.OperatorException;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
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
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The loop of a binding (PRODUCT.md): watch Consul, build the routing model, render it, check it with HAProxy,
 * publish it as an immutable ConfigMap, bring the fleet to it (servers at run time, structure by a rolling
 * update), and say in status what happened. Each stage returns what it did; {@link BindingStatusBuilder} turns
 * that into the status and Events. Nothing reaches a ConfigMap without passing {@code haproxy -c}.
 */
@ControllerConfiguration(name = "haproxyconsulbinding", generationAwareEventProcessing = false,
        informer = @Informer(onUpdateFilter = BindingUpdates.class))
@Workflow(explicitInvocation = true, dependents = {
        @Dependent(name = "deployment", type = FleetDeployment.class, reconcilePrecondition = FleetRequested.class),
        @Dependent(name = "service", type = FleetService.class, reconcilePrecondition = FleetRequested.class),
        @Dependent(name = "pdb", type = FleetDisruptionBudget.class,
                reconcilePrecondition = DisruptionBudgetRequested.class)})
public class HaproxyConsulBindingReconciler implements Reconciler<HaproxyConsulBinding>, Cleaner<HaproxyConsulBinding> {

    /** How soon to look again at pods whose HAProxy did not answer or does not serve the current servers yet. */
    private static final Duration PODS_RECHECK = Duration.ofSeconds(2);

    private final BindingInputs inputs;
    private final ConfigRenderer renderer;
    private final ConfigPublisher publisher;
    private final PodServers podServers;
    private final BindingEvents events;
    private final ConsulChangeEventSource consulChanges;
    private final OperatorMetrics metrics;
    private final Clock clock = Clock.systemUTC();

    public HaproxyConsulBindingReconciler(BindingInputs inputs, ConfigRenderer renderer, ConfigPublisher publisher,
            PodServers podServers, BindingEvents events, ConsulWatches watches, Vertx vertx,
            OperatorMetrics metrics) {
        this.inputs = inputs;
        this.renderer = renderer;
        this.publisher = publisher;
        this.podServers = podServers;
        this.events = events;
        this.consulChanges = new ConsulChangeEventSource(watches, vertx);
        this.metrics = metrics;
    }

    @Override
    public List<EventSource<?, HaproxyConsulBinding>> prepareEventSources(EventSourceContext<HaproxyConsulBinding> context) {
        // Pods say what the Deployment does not: an init step that rejected the configuration, HAProxy's words,
        // and a container that started or restarted and needs the current servers.
        var pods = new InformerEventSource<>(InformerEventSourceConfiguration.from(Pod.class, HaproxyConsulBinding.class)
                .withName("fleet-pods").withNamespacesInheritedFromController()
                .withLabelSelector(OwnedObjects.BINDING_LABEL)
                .withSecondaryToPrimaryMapper(pod -> Set.of(new ResourceID(
                        pod.getMetadata().getLabels().get(OwnedObjects.BINDING_LABEL),
                        pod.getMetadata().getNamespace())))
                .build(), context);
        var sources = new java.util.ArrayList<EventSource<?, HaproxyConsulBinding>>(List.of(consulChanges, pods));
        sources.addAll(InputEvents.of(context, inputs.client()));
        return sources;
    }

    @Override
    public UpdateControl<HaproxyConsulBinding> reconcile(HaproxyConsulBinding binding,
            Context<HaproxyConsulBinding> context) {
        var prior = Objects.requireNonNullElseGet(binding.getStatus(), HaproxyConsulBindingStatus::new);
        var id = ResourceID.fromResource(binding);
        try {
            consulChanges.follow(id, inputs.question(binding), binding.getSpec().rollout.debounce);
        } catch (BindingInputs.InvalidInputException e) {
            return finish(binding, prior, LoopOutcome.invalidSpec(e.getMessage(),
                    rollOut(binding, context, prior, prior.currentConfig, Optional.empty())));
        }
        var snapshot = context.getSecondaryResource(CatalogSnapshot.class);
        var consul = new ConsulView(snapshot.isPresent(), consulChanges.unreachable(id));
        if (snapshot.isEmpty()) {
            return finish(binding, prior, LoopOutcome.waiting(consul,
                    rollOut(binding, context, prior, prior.currentConfig, Optional.empty())));
        }
        RoutingModel model = RoutingModelBuilder.build(binding.getSpec(), snapshot.get());
        var rejected = model.rejections().stream().map(Object::toString).toList();
        RenderedConfig candidate;
        try {
            candidate = render(binding, model);
        } catch (BindingInputs.InvalidInputException | InvalidTemplateException e) {
            var publication = new Publication.TemplateInvalid(e.getMessage());
            return finish(binding, prior, new LoopOutcome(null, consul, rejected, publication,
                    rollOut(binding, context, prior, prior.currentConfig, Optional.empty())));
        }
        var publication = publisher.publish(binding, candidate, prior);
        var fleet = publication instanceof Publication.Published published
                ? rollOut(binding, context, prior, published.config(), Optional.of(DesiredServers.of(model, candidate)))
                : rollOut(binding, context, prior, prior.currentConfig, Optional.empty());
        return finish(binding, prior, new LoopOutcome(null, consul, rejected, publication, fleet));
    }

    private RenderedConfig render(HaproxyConsulBinding binding, RoutingModel model) {
        var template = inputs.template(binding);
        return metrics.timeRender(() -> template.map(text -> renderer.render(text, model))
                .orElseGet(() -> renderer.renderDefault(model)));
    }

    /**
     * Brings the fleet to the current configuration: its servers into every running pod through the Runtime API,
     * and, when its structure differs from what the pods load (or a backend outgrew its free slots), a rolling
     * update to it; back to the last known good configuration when the pods refuse it.
     *
     * @param desired the current configuration's servers, or empty to keep those last brought to the pods
     * @return null without a fleet (whose objects the workflow then deletes) or before a first configuration
     */
    private FleetOutcome rollOut(HaproxyConsulBinding binding, Context<HaproxyConsulBinding> context,
            HaproxyConsulBindingStatus prior, PublishedConfig current, Optional<DesiredServers> desired) {
        var workflow = context.managedWorkflowAndDependentResourceContext();
        var loaded = prior.fleet == null ? null : prior.fleet.podConfig;
        if (binding.getSpec().fleet == null) {
            // The preconditions fail: the workflow deletes whatever a fleet left.
            podServers.forget(binding);
            workflow.reconcileManagedWorkflow();
            return null;
        }
        if (current == null) {
            return null;
        }
        var pods = context.getSecondaryResources(Pod.class);
        var servers = podServers.sync(binding, pods, desired, current.hash);
        var target = FleetTarget.choose(loaded, current, loaded != null && servers.outgrown(loaded.hash));
        PublishedConfig provenGood = null;
        if (loaded == null || !loaded.hash.equals(target.hash)) {
            metrics.rolloutStarted();
            metrics.podsReplaced(binding.getSpec().fleet.replicas);
            var before = loaded == null ? null : Rollout.assess(deployment(context), pods, loaded.hash);
            provenGood = before != null && before.complete() ? loaded : null;
        }
        FleetTarget.handTo(context, target);
        workflow.reconcileManagedWorkflow();
        var rollout = Rollout.assess(deployment(context), pods, target.hash);
        return rollout.failure().isEmpty() ? new FleetOutcome.Progress(target, rollout, servers, provenGood)
                : rollBack(context, prior, target, rollout);
    }

    /**
     * The pods refused {@code refused} (another HAProxy version, say): the Deployment goes back to what every pod
     * ran before, which scales its old ReplicaSet back up rather than making new pods.
     */
    private FleetOutcome rollBack(Context<HaproxyConsulBinding> context, HaproxyConsulBindingStatus prior,
            PublishedConfig refused, Rollout rollout) {
        var goodPods = prior.fleet == null ? null : prior.fleet.lastKnownGoodPodConfig;
        metrics.validationFailed("pods");
        if (goodPods == null || goodPods.hash.equals(refused.hash) || prior.lastKnownGoodConfig == null) {
            return new FleetOutcome.Failed(refused, rollout.failure().orElseThrow(), rollout);
        }
        metrics.rolledBack();
        FleetTarget.handTo(context, goodPods);
        context.managedWorkflowAndDependentResourceContext().reconcileManagedWorkflow();
        return new FleetOutcome.RolledBack(refused, rollout.failure().orElseThrow(), prior.lastKnownGoodConfig,
                goodPods, rollout);
    }

    private static Deployment deployment(Context<HaproxyConsulBinding> context) {
        return context.getSecondaryResource(Deployment.class).orElse(null);
    }

    private UpdateControl<HaproxyConsulBinding> finish(HaproxyConsulBinding binding, HaproxyConsulBindingStatus prior,
            LoopOutcome outcome) {
        var result = BindingStatusBuilder.build(prior, binding.getMetadata().getGeneration(), outcome, clock);
        result.events().forEach(event -> events.record(binding, event));
        String good = goodPodConfig(result.status());
        if (good != null && !good.equals(goodPodConfig(prior))) {
            metrics.rolloutCompleted();
        }
        binding.setStatus(result.status());
        // The operator is the status' only writer and the Operator SDK serializes reconciles of a binding: a patch
        // without the resource version cannot lose a write, and never fails on a cache a moment behind (409).
        binding.getMetadata().setResourceVersion(null);
        var control = UpdateControl.patchStatus(binding);
        return recheckAfter(binding, outcome).map(control::rescheduleAfter).orElse(control);
    }

    private static String goodPodConfig(HaproxyConsulBindingStatus status) {
        return status.fleet == null || status.fleet.lastKnownGoodPodConfig == null ? null
                : status.fleet.lastKnownGoodPodConfig.hash;
    }

    /** Pods still to bring up to date, or a held configuration whose hold ends: when to look again. */
    private Optional<Duration> recheckAfter(HaproxyConsulBinding binding, LoopOutcome outcome) {
        if (outcome.fleet() instanceof FleetOutcome.Progress progress && !progress.complete()) {
            return Optional.of(PODS_RECHECK);
        }
        var hold = binding.getStatus().removalHold;
        var holdFor = binding.getSpec().rollout.removalGuard.holdForDuration();
        if (hold != null && !holdFor.isZero()) {
            var ends = Instant.parse(hold.since).plus(holdFor);
            return Optional.of(Duration.between(clock.instant(), ends).plusSeconds(1));
        }
        return Optional.empty();
    }

    @Override
    public DeleteControl cleanup(HaproxyConsulBinding binding, Context<HaproxyConsulBinding> context) {
        consulChanges.forget(ResourceID.fromResource(binding));
        podServers.forget(binding);
        return DeleteControl.defaultDelete();
    }

    @Override
    public ErrorStatusUpdateControl<HaproxyConsulBinding> updateErrorStatus(HaproxyConsulBinding binding,
            Context<HaproxyConsulBinding> context, Exception e) {
        if (onlyConflicts(e)) {
            // An object changed under a write (the Deployment controller updates its Deployment all the time): the
            // retry that follows reads it afresh. Nothing a user should see.
            return ErrorStatusUpdateControl.noStatusUpdate();
        }
        var status = Objects.requireNonNullElseGet(binding.getStatus(), HaproxyConsulBindingStatus::new);
        binding.setStatus(status);
        String message = errorMessage(e);
        if (BindingConditions.set(status.conditions, binding.getMetadata().getGeneration(),
                BindingConditions.READY, false, "ReconcileError", message, clock)) {
            events.record(binding, new BindingStatusBuilder.BindingEvent(true, "ReconcileError", message));
        }
        binding.getMetadata().setResourceVersion(null);
        return ErrorStatusUpdateControl.patchStatus(binding);
    }

    /** Whether every failure in {@code e} (one per owned object when the workflow failed) is a 409 Conflict. */
    static boolean onlyConflicts(Throwable e) {
        Throwable cause = unwrap(e);
        if (cause instanceof AggregatedOperatorException aggregated) {
            return aggregated.getAggregatedExceptions().values().stream()
                    .allMatch(HaproxyConsulBindingReconciler::onlyConflicts);
        }
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof KubernetesClientException client && client.getCode() == HttpURLConnection.HTTP_CONFLICT) {
                return true;
            }
        }
        return false;
    }

    /** The Operator SDK's wrappers peeled off, down to the failure itself or the workflow's failures by object. */
    private static Throwable unwrap(Throwable e) {
        Throwable cause = e;
        while (cause instanceof OperatorException && !(cause instanceof AggregatedOperatorException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** What failed, without stack traces: per owned object when the fleet's workflow failed. */
    static String errorMessage(Throwable e) {
        Throwable cause = unwrap(e);
        if (cause instanceof AggregatedOperatorException aggregated) {
            return aggregated.getAggregatedExceptions().entrySet().stream()
                    .map(entry -> entry.getKey() + ": " + errorMessage(entry.getValue())).sorted()
                    .collect(Collectors.joining("; "));
        }
        return Objects.requireNonNullElse(cause.getMessage(), cause.getClass().getSimpleName());
    }
}
