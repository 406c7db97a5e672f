package io.haproxyconsul.operator.reconciler;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBinding;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.jboss.logging.Logger;

/** Kubernetes Events on a binding, as {@code kubectl describe hcb} shows them. */
@ApplicationScoped
public class BindingEvents {

    private static final Logger LOG = Logger.getLogger(BindingEvents.class);
    private static final int MAX_MESSAGE = 1024;

    private final KubernetesClient client;

    public BindingEvents(KubernetesClient client) {
        this.client = client;
    }

    public void normal(HaproxyConsulBinding binding, String reason, String message) {
        emit(binding, "Normal", reason, message);
    }

    public void warning(HaproxyConsulBinding binding, String reason, String message) {
        emit(binding, "Warning", reason, message);
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
        try {
            client.v1().events().inNamespace(metadata.getNamespace()).resource(event).create();
        } catch (KubernetesClientException e) {
            // An Event is a courtesy: losing one must not fail the reconcile that status already reports.
            LOG.warnf("could not record event %s on %s/%s: %s", reason, metadata.getNamespace(), metadata.getName(),
                    e.getMessage());
        }
    }
}
