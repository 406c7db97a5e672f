package io.haproxyconsul.operator.render;

import io.quarkus.qute.Engine;
import io.quarkus.qute.ReflectionValueResolver;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** A Qute engine like the operator's, without booting Quarkus: templates from the classpath, records by reflection. */
public final class TestTemplates {

    private TestTemplates() {
    }

    public static ConfigRenderer renderer() {
        Engine engine = Engine.builder().addDefaults().addValueResolver(new ReflectionValueResolver())
                .addLocator(id -> Optional.ofNullable(TestTemplates.class.getResource("/templates/" + id))
                        .map(url -> new io.quarkus.qute.TemplateLocator.TemplateLocation() {
                            @Override
                            public java.io.Reader read() {
                                try {
                                    return new InputStreamReader(url.openStream(), StandardCharsets.UTF_8);
                                } catch (IOException e) {
                                    throw new UncheckedIOException(e);
                                }
                            }

                            @Override
                            public Optional<io.quarkus.qute.Variant> getVariant() {
                                return Optional.empty();
                            }
                        }))
                .build();
        return new ConfigRenderer(engine);
    }
}
