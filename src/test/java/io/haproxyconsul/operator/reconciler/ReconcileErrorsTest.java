package io.haproxyconsul.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.AggregatedOperatorException;
import io.javaoperatorsdk.operator.OperatorException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReconcileErrorsTest {

    private static final KubernetesClientException CONFLICT = new KubernetesClientException(new StatusBuilder()
            .withCode(409).withMessage("Operation cannot be fulfilled on services \"edge-haproxy\": the object has "
                    + "been modified").build());
    private static final KubernetesClientException INVALID = new KubernetesClientException(new StatusBuilder()
            .withCode(422).withMessage("spec.template.spec.containers[0].image: Required value").build());

    @Test
    void conflictsOnEveryOwnedObjectAreLeftToTheRetry() {
        var workflow = new OperatorException(new AggregatedOperatorException("workflow", Map.of(
                "service", new OperatorException(CONFLICT), "deployment", CONFLICT)));

        assertThat(HaproxyConsulBindingReconciler.onlyConflicts(workflow)).isTrue();
    }

    @Test
    void anyOtherFailureIsReportedPerObjectInTheApiServersWords() {
        var workflow = new OperatorException(new AggregatedOperatorException("workflow", Map.of(
                "service", CONFLICT, "deployment", INVALID)));

        assertThat(HaproxyConsulBindingReconciler.onlyConflicts(workflow)).isFalse();
        assertThat(HaproxyConsulBindingReconciler.errorMessage(workflow))
                .startsWith("deployment: ").contains("image: Required value").contains("; service: ");
    }
}
