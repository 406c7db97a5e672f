package io.haproxyconsul.operator.publish;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBinding;
import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBindingSpec;
import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBindingStatus;
import io.haproxyconsul.operator.api.v1alpha1.PublishedConfig;
import io.haproxyconsul.operator.api.v1alpha1.RoutingSpec;
import io.haproxyconsul.operator.consul.CatalogSnapshot;
import io.haproxyconsul.operator.consul.ServiceInstance;
import io.haproxyconsul.operator.consul.ServiceInstance.HealthStatus;
import io.haproxyconsul.operator.metrics.OperatorMetrics;
import io.haproxyconsul.operator.model.RoutingModelBuilder;
import io.haproxyconsul.operator.render.ConfigRenderer;
import io.haproxyconsul.operator.render.RenderedConfig;
import io.haproxyconsul.operator.validate.HaproxyValidator;
import io.haproxyconsul.operator.validate.ValidationResult;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Which candidates {@code haproxy -c} sees: every one but a change of servers alone in the built-in template's
 * server lines, with IP addresses, to a structure HAProxy accepted before.
 */
class ConfigPublisherTest {

    private static final String USER_TEMPLATE = """
            global
                maxconn {model.globals.maxconn}
            {#for backend in model.backends}
            backend {backend.name}
            {#for server in backend.servers}
                server {server.name} {server.address}:{server.port} {params.serverOptions ?: 'check'}
            {/for}
            {/for}
            """;

    private final List<String> checked = new ArrayList<>();
    private final ConfigRenderer renderer = ConfigRenderer.standalone();
    private final ConfigPublisher publisher = new ConfigPublisher(new CountingValidator(checked),
            new InMemoryConfigMaps(), new OperatorMetrics(new SimpleMeterRegistry()), new InlineWrites(),
            Clock.systemUTC());
    private final HaproxyConsulBinding binding = binding();
    private final HaproxyConsulBindingStatus status = new HaproxyConsulBindingStatus();

    @Test
    void serverChangesOfTheBuiltInTemplateArePublishedWithoutHaproxyC() {
        publish(builtIn("10.0.0.1"));
        assertThat(checked).hasSize(1);

        var added = publish(builtIn("10.0.0.1", "10.0.0.2"));
        var moved = publish(builtIn("10.0.0.3", "fd00::2"));

        assertThat(added.isNew()).isTrue();
        assertThat(moved.isNew()).isTrue();
        assertThat(status.currentConfig.hash).isEqualTo(builtIn("10.0.0.3", "fd00::2").hash().value());
        assertThat(checked).as("haproxy -c ran for the first structure only").hasSize(1);
    }

    @Test
    void aNewStructureIsChecked() {
        publish(builtIn("10.0.0.1"));

        publish(builtIn(Map.of("service/haproxy/maxconn", "3000"), "10.0.0.1"));

        assertThat(checked).hasSize(2);
        assertThat(checked.get(1)).contains("maxconn 3000");
    }

    @Test
    void aServerKnownByItsDnsNameIsChecked() {
        publish(builtIn("10.0.0.1"));

        publish(builtIn("10.0.0.1", "web-2.internal"));

        assertThat(checked).as("a defaults snippet from KV may make an unresolvable name fatal").hasSize(2);
    }

    @Test
    void everyConfigurationOfAUsersTemplateIsChecked() {
        publish(user("10.0.0.1"));
        publish(user("10.0.0.1", "10.0.0.2"));

        assertThat(checked).as("its server lines may print anything, parameters included").hasSize(2);
    }

    @Test
    void theLastKnownGoodStructureCountsAsChecked() {
        publish(builtIn("10.0.0.1"));
        status.lastKnownGoodConfig = status.currentConfig;
        status.currentConfig = null;

        publish(builtIn("10.0.0.2"));

        assertThat(checked).hasSize(1);
    }

    private Publication.Published publish(RenderedConfig candidate) {
        var publication = publisher.publish(binding, candidate, status);
        assertThat(publication).isInstanceOf(Publication.Published.class);
        var published = (Publication.Published) publication;
        status.currentConfig = published.config();
        return published;
    }

    private RenderedConfig builtIn(String... addresses) {
        return builtIn(Map.of(), addresses);
    }

    private RenderedConfig builtIn(Map<String, String> kv, String... addresses) {
        return renderer.renderDefault(RoutingModelBuilder.build(binding.getSpec(), catalog(kv, addresses)));
    }

    private RenderedConfig user(String... addresses) {
        return renderer.render(USER_TEMPLATE, RoutingModelBuilder.build(binding.getSpec(), catalog(Map.of(),
                addresses)));
    }

    private static CatalogSnapshot catalog(Map<String, String> kv, String... addresses) {
        var instances = new ArrayList<ServiceInstance>();
        for (int i = 0; i < addresses.length; i++) {
            instances.add(new ServiceInstance("web-" + i, "node", addresses[i], 8080, List.of("http"),
                    HealthStatus.PASSING));
        }
        return CatalogSnapshot.of(Map.of("web", List.of("http")), Map.of("web", instances), kv);
    }

    private static HaproxyConsulBinding binding() {
        var spec = new HaproxyConsulBindingSpec();
        spec.routing = new RoutingSpec();
        spec.routing.domain = "example.com";
        var binding = new HaproxyConsulBinding();
        binding.setMetadata(new ObjectMetaBuilder().withName("edge").withNamespace("default").build());
        binding.setSpec(spec);
        return binding;
    }

    /** {@code haproxy -c} that accepts everything and remembers what it saw. */
    private static final class CountingValidator extends HaproxyValidator {
        private final List<String> seen;

        CountingValidator(List<String> seen) {
            super(Path.of("haproxy"), 1000);
            this.seen = seen;
        }

        @Override
        public ValidationResult validate(String config) {
            seen.add(config);
            return new ValidationResult(true, null);
        }
    }

    /** ConfigMaps as the cluster would name them, kept nowhere. */
    private static final class InMemoryConfigMaps extends PublishedConfigMaps {
        InMemoryConfigMaps() {
            super(null);
        }

        @Override
        public PublishedConfig publish(HaproxyConsulBinding binding, RenderedConfig config) {
            var published = new PublishedConfig();
            published.hash = config.hash().value();
            published.configMapName = binding.getMetadata().getName() + "-" + published.hash;
            published.services = config.services();
            published.servers = config.servers();
            published.structureHash = config.structure().hash();
            return published;
        }

        @Override
        public void prune(HaproxyConsulBinding binding, int historyLimit, Set<String> keep) {
        }
    }

    private static final class InlineWrites extends BackgroundWrites {
        @Override
        public void submit(String what, Runnable write) {
            write.run();
        }
    }
}
