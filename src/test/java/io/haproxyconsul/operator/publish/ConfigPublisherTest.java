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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which candidates {@code haproxy -c} sees (every one but a change of servers alone in the built-in template's server
 * lines, with IP addresses, to a structure HAProxy accepted before), and the ConfigMap written meanwhile.
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
    private final CountingValidator validator = new CountingValidator(checked);
    private final InMemoryConfigMaps configMaps = new InMemoryConfigMaps();
    private final ExecutorService writes = Executors.newCachedThreadPool();
    private final ConfigRenderer renderer = ConfigRenderer.standalone();
    private final ConfigPublisher publisher = new ConfigPublisher(validator, configMaps,
            new OperatorMetrics(new SimpleMeterRegistry()), new InlineWrites(), writes, Clock.systemUTC());
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
    void ofAStructuralChangeHaproxyChecksOneServerLineOfEachKindPerBackend() {
        publish(builtIn(Map.of("service/haproxy/maxconn", "3000"), "10.0.0.1", "10.0.0.2", "10.0.0.3"));

        assertThat(checked.get(0)).contains("maxconn 3000", "server srv1 10.0.0.1:8080 check",
                "server srv4 127.0.0.1:1 check disabled").doesNotContain("10.0.0.2", "10.0.0.3", "srv5");
    }

    @Test
    void aServerKnownByItsDnsNameIsChecked() {
        publish(builtIn("10.0.0.1"));

        publish(builtIn("10.0.0.1", "web-2.internal"));

        assertThat(checked).as("a defaults snippet from KV may make an unresolvable name fatal").hasSize(2);
    }

    @Test
    void everyConfigurationOfAUsersTemplateIsCheckedWhole() {
        publish(user("10.0.0.1"));
        publish(user("10.0.0.1", "10.0.0.2"));

        assertThat(checked).as("its server lines may print anything, parameters included").hasSize(2);
        assertThat(checked.get(1)).contains("10.0.0.1:8080", "10.0.0.2:8080");
    }

    @Test
    void theLastKnownGoodStructureCountsAsChecked() {
        publish(builtIn("10.0.0.1"));
        status.lastKnownGoodConfig = status.currentConfig;
        status.currentConfig = null;

        publish(builtIn("10.0.0.2"));

        assertThat(checked).hasSize(1);
    }

    @Test
    void theConfigMapIsWrittenWhileHaproxyChecksAndDeletedWhenItRefuses() {
        publish(builtIn("10.0.0.1"));
        validator.refuseAfterTheWriteStarted(configMaps);

        var refused = publisher.publish(binding, builtIn(Map.of("service/haproxy/maxconn", "3000"), "10.0.0.1"),
                status);

        assertThat(refused).isInstanceOf(Publication.Refused.class);
        assertThat(configMaps.withdrawn).containsExactly("edge-" + ((Publication.Refused) refused).hash());
        assertThat(status.currentConfig.hash).as("the status never named it")
                .isEqualTo(builtIn("10.0.0.1").hash().value());
    }

    @Test
    void aRefusedCandidateWhoseConfigMapTheStatusNamesIsLeftInPlace() {
        publish(user("10.0.0.1"));
        status.lastKnownGoodConfig = status.currentConfig;
        publish(user("10.0.0.2"));
        validator.refuseAfterTheWriteStarted(configMaps);

        var refused = publisher.publish(binding, user("10.0.0.1"), status);

        assertThat(refused).isInstanceOf(Publication.Refused.class);
        assertThat(configMaps.withdrawn).as("the last known good configuration's ConfigMap").isEmpty();
    }

    @AfterEach
    void stopWrites() {
        writes.shutdownNow();
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

    /**
     * {@code haproxy -c} that remembers what it saw and accepts it, or refuses it once the ConfigMap's write has
     * begun: a candidate checked only after its write would never be refused.
     */
    private static final class CountingValidator extends HaproxyValidator {
        private final List<String> seen;
        private InMemoryConfigMaps refuseAfterWriteTo;

        CountingValidator(List<String> seen) {
            super(Path.of("haproxy"), 1000);
            this.seen = seen;
        }

        void refuseAfterTheWriteStarted(InMemoryConfigMaps configMaps) {
            refuseAfterWriteTo = configMaps;
            configMaps.writing = new CountDownLatch(1);
        }

        @Override
        public ValidationResult validate(String config) {
            seen.add(config);
            if (refuseAfterWriteTo == null) {
                return new ValidationResult(true, null);
            }
            try {
                assertThat(refuseAfterWriteTo.writing.await(10, TimeUnit.SECONDS))
                        .as("the ConfigMap's write began while haproxy -c ran").isTrue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new ValidationResult(false, "[haproxy.cfg:3] : unknown keyword");
        }
    }

    /** ConfigMaps as the cluster would name them, kept nowhere; {@code writing} opens when one is written. */
    private static final class InMemoryConfigMaps extends PublishedConfigMaps {
        volatile CountDownLatch writing = new CountDownLatch(1);
        final List<String> withdrawn = new CopyOnWriteArrayList<>();

        InMemoryConfigMaps() {
            super(null);
        }

        @Override
        public PublishedConfig publish(HaproxyConsulBinding binding, RenderedConfig config) {
            writing.countDown();
            var published = new PublishedConfig();
            published.hash = config.hash().value();
            published.configMapName = binding.getMetadata().getName() + "-" + published.hash;
            published.services = config.services();
            published.servers = config.servers();
            published.structureHash = config.structure().hash();
            return published;
        }

        @Override
        public void withdraw(HaproxyConsulBinding binding, String configMapName) {
            withdrawn.add(configMapName);
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
