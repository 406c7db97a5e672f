package io.haproxyconsul.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBinding;
import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBindingStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BindingUpdatesTest {

    private final BindingUpdates filter = new BindingUpdates();

    @Test
    void aNewSpecOrAnApprovalIsReconciledAndTheOperatorsOwnStatusWriteIsNot() {
        var old = binding(1L, Map.of());

        assertThat(filter.accept(binding(2L, Map.of()), old)).as("a new generation").isTrue();
        assertThat(filter.accept(binding(1L, Map.of("haproxyconsul.io/approve-removal", "abc")), old))
                .as("an approval").isTrue();
        var withStatus = binding(1L, Map.of());
        withStatus.setStatus(new HaproxyConsulBindingStatus());
        assertThat(filter.accept(withStatus, old)).as("a status write").isFalse();
        assertThat(filter.accept(binding(1L, Map.of("team", "edge")), old)).as("another annotation").isFalse();
        var finalized = binding(1L, Map.of());
        finalized.getMetadata().setFinalizers(List.of("haproxyconsulbindings.haproxyconsul.io/finalizer"));
        assertThat(filter.accept(finalized, old)).as("a finalizer").isTrue();
    }

    private static HaproxyConsulBinding binding(long generation, Map<String, String> annotations) {
        var binding = new HaproxyConsulBinding();
        binding.getMetadata().setName("edge");
        binding.getMetadata().setGeneration(generation);
        binding.getMetadata().setAnnotations(annotations);
        return binding;
    }
}
