package io.haproxyconsul.operator.testenv;

import io.haproxyconsul.operator.testenv.RealParts.Part;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The real helm against a control plane, with its cache, configuration and data in a folder of the test's own. */
public final class Helm {

    public static final Path CHART = Path.of("deploy", "helm", "haproxy-consul-operator").toAbsolutePath();

    private final Path binary;
    private final ControlPlane plane;
    private final Path work;

    public Helm(ControlPlane plane, Path work) {
        this.binary = RealParts.require(Part.HELM);
        this.plane = plane;
        this.work = work;
    }

    public CommandResult run(String... args) {
        Path home = work.resolve("helm-home");
        var command = new ArrayList<>(List.of("env", "HOME=" + home,
                "XDG_CACHE_HOME=" + home.resolve("cache"), "XDG_CONFIG_HOME=" + home.resolve("config"),
                "XDG_DATA_HOME=" + home.resolve("data"), "HELM_CACHE_HOME=" + home.resolve("cache/helm"),
                "HELM_CONFIG_HOME=" + home.resolve("config/helm"), "HELM_DATA_HOME=" + home.resolve("data/helm"),
                binary.toString(), "--kubeconfig", plane.kubeconfig().toString()));
        command.addAll(List.of(args));
        return CommandResult.run(command, work, Duration.ofMinutes(5));
    }
}
