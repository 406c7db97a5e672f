package io.haproxyconsul.operator.reconciler;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBinding;
import io.haproxyconsul.operator.publish.BackgroundWrites;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Kubernetes Events on a binding, as {@code kubectl describe hcb} shows them. */
@ApplicationScoped
public class BindingEvents {

    private static final int MAX_MESSAGE = 1024;

    private final KubernetesClient client;
    private final BackgroundWrites background;

    public BindingEvents(KubernetesClient client, BackgroundWrites background) {
        this.client = client;
        this.background = background;
    }

    public void record(HaproxyConsulBinding binding, BindingStatusBuilder.BindingEvent event) {
        emit(binding, event.warning() ? "Warning" : "Normal", event.reason(), event.message());
    }

    private void emit(HaproxyConsulBinding binding, String type, String reason, String message) {
        var metadata = binding.getMetadata();
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        var event = new EventBuilder()
                .withNewMetadata().withGenerateName(metadata.getName() + ".").withNamespace(metadata.getNamespace())
                .endMetadata()
                .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion(binding.getApiVersion())
                        .withKind(binding.getKind()).withName(metadata.getName()).withNamespace(metadata.getNamespace())
                        .withUid(metadata.getUid()).withResourceVersion(metadata.getResourceVersion()).build())
                .withType(type).withReason(reason)
                .withMessage(message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) + "…" : message)
                .withNewSource().withComponent("haproxy-consul-operator").endSource()
                .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                .build();
        // An Event is a courtesy: writing one must not delay, nor losing one fail, what status already reports.
        background.submit("recording event " + reason + " on " + metadata.getNamespace() + "/" + metadata.getName(),
                () -> client.v1().events().inNamespace(metadata.getNamespace()).resource(event).create());
    }
}
