package io.haproxyconsul.operator.testenv;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The operator's own image, built from {@code Dockerfile.jvm} over the packaged application by
 * {@code hack/images.sh operator} (buildah, no daemon), and imported into the node under the name that
 * {@code deploy/base} and the Helm chart give it: the manifests run as they are, with nothing pulled.
 */
public final class OperatorImage {

    static final Path BASE_DEPLOYMENT = Path.of("deploy", "base", "deployment.yaml");

    private OperatorImage() {
    }

    /** The image deploy/base's Deployment names (the chart's default is the same; DeployManifestsIT checks). */
    public static String deployedName() {
        try {
            var matcher = Pattern.compile("image: (\\S+)").matcher(Files.readString(BASE_DEPLOYMENT));
            if (!matcher.find()) {
                throw new IllegalStateException(BASE_DEPLOYMENT + " names no image");
            }
            return matcher.group(1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Builds the image (cached while the application is unchanged) and imports it into the node. */
    public static String importInto(RealNode node) {
        var built = CommandResult.run(List.of("bash", Path.of("hack", "images.sh").toAbsolutePath().toString(),
                "operator"), Path.of("."), Duration.ofMinutes(15));
        built.assertSuccess();
        var lines = built.output().strip().lines().toList();
        Path archive = Path.of(lines.get(lines.size() - 1));
        String name = deployedName();
        node.importImage(archive, name);
        return name;
    }
}
