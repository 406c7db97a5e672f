package io.haproxyconsul.operator.render;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBinding;
import io.haproxyconsul.operator.consul.CatalogSnapshot;
import io.haproxyconsul.operator.model.RoutingModel;
import io.haproxyconsul.operator.model.RoutingModelBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

/**
 * A golden case: {@code binding.yaml} and {@code catalog.json} (and the user's {@code template.qute}, when the
 * binding names one) in; {@code haproxy.cfg} and {@code rejected-values.txt} (what status.rejectedValues lists, one a
 * line) out. Regenerate the expected files with {@code -Dgolden.update=true} and review the diff like code.
 */
public record GoldenCase(Path dir) {

    public static final Path ROOT = Path.of("src/test/resources/golden");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final ObjectMapper JSON = new ObjectMapper();

    public HaproxyConsulBinding binding() {
        return read(YAML, "binding.yaml", HaproxyConsulBinding.class);
    }

    public CatalogSnapshot catalog() {
        return read(JSON, "catalog.json", CatalogSnapshot.class);
    }

    public RoutingModel model() {
        return RoutingModelBuilder.build(binding().getSpec(), catalog());
    }

    public RenderedConfig render() {
        var model = model();
        Path template = dir.resolve("template.qute");
        if (Files.exists(template)) {
            return ConfigRenderer.standalone().render(readString(template), model);
        }
        return ConfigRenderer.standalone().renderDefault(model);
    }

    /** What status.rejectedValues would list, one a line. */
    public String rejectedValues() {
        return model().rejections().stream().map(rejection -> rejection + "\n").collect(Collectors.joining());
    }

    public Path expected() {
        return dir.resolve("haproxy.cfg");
    }

    public Path expectedRejectedValues() {
        return dir.resolve("rejected-values.txt");
    }

    private static String readString(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private <T> T read(ObjectMapper mapper, String file, Class<T> type) {
        try {
            return mapper.readValue(dir.resolve(file).toFile(), type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return dir.getFileName().toString();
    }

    static boolean updating() {
        return Boolean.getBoolean("golden.update");
    }

    void update(Path file, String text) throws IOException {
        Files.writeString(file, text);
    }
}
