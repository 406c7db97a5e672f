package io.haproxyconsul.operator.render;

import io.haproxyconsul.operator.model.ConsulValues;
import io.haproxyconsul.operator.model.RoutingModel;
import io.quarkus.qute.Engine;
import io.quarkus.qute.ReflectionValueResolver;
import io.quarkus.qute.TemplateLocator;
import io.quarkus.qute.Variant;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateException;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Draws a {@link RoutingModel} with a Qute template: the built-in {@code templates/haproxy.cfg}, or a user's
 * template text. Templates see {@code model} and {@code params}; all logic stays in the model.
 */
@ApplicationScoped
public class ConfigRenderer {

    private static final int PARSED_TEMPLATES_KEPT = 64;
    /** Configurations whose {@code {#memo}} blocks are kept for the next render: one per template and frontend. */
    private static final int MEMORIES_KEPT = 16;

    private final Engine engine;
    private final Template builtIn;
    /** The built-in template's identity in structure hashes: its text, so an upgrade that changes it rolls. */
    private final String builtInId;
    private final Map<ConfigHash, Template> parsed = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ConfigHash, Template> eldest) {
            return size() > PARSED_TEMPLATES_KEPT;
        }
    };

    /**
     * The blocks of the last render per template and frontend (bindings with the same frontend draw the same
     * backends alike): a render draws only the backends that differ from the last one's.
     */
    private final Map<List<Object>, Map<Object, String>> memories = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<List<Object>, Map<Object, String>> eldest) {
            return size() > MEMORIES_KEPT;
        }
    };

    public ConfigRenderer(Engine engine) {
        this.engine = engine;
        this.builtIn = engine.getTemplate("haproxy.cfg");
        this.builtInId = "built-in " + builtInSource().map(source -> ConfigHash.of(source).value()).orElse("");
    }

    private static Optional<String> builtInSource() {
        try (var in = ConfigRenderer.class.getResourceAsStream("/templates/haproxy.cfg")) {
            return in == null ? Optional.empty() : Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * A renderer outside Quarkus (the render command, tests): the same templates from the classpath, records read by
     * reflection where Quarkus would generate resolvers at build time.
     */
    public static ConfigRenderer standalone() {
        Engine engine = Engine.builder().addDefaults().addSectionHelper(new MemoSection())
                .addValueResolver(new ReflectionValueResolver())
                .addLocator(id -> Optional.ofNullable(ConfigRenderer.class.getResource("/templates/" + id))
                        .map(ClasspathTemplate::new))
                .build();
        return new ConfigRenderer(engine);
    }

    private record ClasspathTemplate(URL url) implements TemplateLocator.TemplateLocation {
        @Override
        public Reader read() {
            try {
                return new InputStreamReader(url.openStream(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public Optional<Variant> getVariant() {
            return Optional.empty();
        }
    }

    public RenderedConfig renderDefault(RoutingModel model) {
        return render(builtIn, builtInId, model, serversAreIpLiterals(model));
    }

    /**
     * The built-in template prints a server line from the slot, the address and the port alone; with an IP
     * address, HAProxy reads the line the same whatever the configuration says of resolving names (a KV defaults
     * snippet may make an unresolvable DNS name fatal).
     */
    private static boolean serversAreIpLiterals(RoutingModel model) {
        return model.backends().stream().flatMap(backend -> backend.servers().stream())
                .allMatch(server -> ConsulValues.isIpLiteral(server.address()));
    }

    /**
     * @throws InvalidTemplateException when the user's template does not parse or fails while rendering
     */
    public RenderedConfig render(String templateText, RoutingModel model) {
        try {
            Template template;
            var id = ConfigHash.of(templateText);
            synchronized (parsed) {
                template = parsed.computeIfAbsent(id, hash -> engine.parse(templateText));
            }
            return render(template, "template " + id, model, false);
        } catch (TemplateException e) {
            throw new InvalidTemplateException(e.getMessage(), e);
        }
    }

    private RenderedConfig render(Template template, String templateId, RoutingModel model,
            boolean checkedServerLines) {
        var slot = List.<Object>of(templateId, model.frontend());
        Map<Object, String> before;
        synchronized (memories) {
            before = memories.getOrDefault(slot, Map.of());
        }
        var memory = new RenderMemory(before);
        String text = template.data("model", model).data("params", model.params())
                .setAttribute(RenderMemory.ATTRIBUTE, memory).render();
        synchronized (memories) {
            memories.put(slot, memory.blocks());
        }
        var backends = model.backends().stream().map(RoutingModel.Backend::name).collect(Collectors.toSet());
        return RenderedConfig.of(text, model.backends().size(), model.serverCount(), templateId, backends,
                checkedServerLines);
    }

    public static final class InvalidTemplateException extends RuntimeException {
        InvalidTemplateException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
