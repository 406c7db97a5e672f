package io.haproxyconsul.operator.testenv;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import org.opentest4j.TestAbortedException;

/**
 * Finds the real parts built by {@code hack/testenv.sh install} through the variables its {@code env} command
 * exports. A missing part fails the test under {@code CI=true} and skips it elsewhere, naming the setup command
 * either way: a real-part test never skips silently in CI.
 */
public final class RealParts {

    public enum Part {
        ETCD,
        KUBE_APISERVER,
        KUBE_CONTROLLER_MANAGER,
        KUBECTL,
        CONSUL,
        HAPROXY,
        HELM,
        CONSUL_TEMPLATE,
        KUBELET,
        KUBE_PROXY,
        KUBE_SCHEDULER,
        CONTAINERD,
        CONTAINERD_SHIM,
        CTR,
        RUNC,
        CNI_BRIDGE,
        CNI_HOST_LOCAL,
        CNI_LOOPBACK
    }

    /** The node's images, OCI archives built by {@code hack/images.sh install}. */
    public enum Image {
        HCO_IMAGE_PAUSE,
        HCO_IMAGE_HAPROXY_2_6,
        HCO_IMAGE_HAPROXY_3_0
    }

    static final String SETUP = "bash hack/testenv.sh install && eval \"$(bash hack/testenv.sh env)\"";

    private RealParts() {
    }

    public static Path require(Part part) {
        return require(part, System::getenv);
    }

    static Path require(Part part, Function<String, String> environment) {
        return require(part.name(), "an executable file", Files::isExecutable, environment);
    }

    public static Path require(Image image) {
        return require(image.name(), "an image archive", Files::isRegularFile, System::getenv);
    }

    private static Path require(String variable, String what, Predicate<Path> present,
            Function<String, String> environment) {
        String value = environment.apply(variable);
        if (value != null && !value.isBlank() && present.test(Path.of(value))) {
            return Path.of(value);
        }
        String message = variable + (value == null || value.isBlank() ? " is not set" : "=" + value
                + " is not " + what) + ": run `" + SETUP + "` first";
        if ("true".equalsIgnoreCase(environment.apply("CI"))) {
            throw new MissingPartException(message);
        }
        throw new TestAbortedException(message);
    }

    /** Every part at once, for a suite that needs several. */
    public static Map<Part, Path> requireAll(Part... parts) {
        var found = new java.util.EnumMap<Part, Path>(Part.class);
        for (var part : parts) {
            found.put(part, require(part));
        }
        return found;
    }

    /** A real part is missing in CI: a failure, not a skip. */
    public static final class MissingPartException extends IllegalStateException {
        MissingPartException(String message) {
            super(message);
        }
    }
}
