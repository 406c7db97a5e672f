package io.haproxyconsul.operator.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBinding;
import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBindingSpec;
import io.haproxyconsul.operator.consul.CatalogSnapshot;
import io.haproxyconsul.operator.consul.ConsulEndpoint;
import io.haproxyconsul.operator.consul.ConsulSnapshotReader;
import io.haproxyconsul.operator.consul.ServiceSelector;
import io.haproxyconsul.operator.model.RoutingModelBuilder;
import io.haproxyconsul.operator.render.ConfigRenderer;
import io.haproxyconsul.operator.render.RenderedConfig;
import io.haproxyconsul.operator.validate.HaproxyValidator;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * {@code render}: prints the haproxy.cfg a binding would publish, from a live Consul or a catalog snapshot file,
 * with no cluster; {@code --validate} runs {@code haproxy -c} on it. For previewing a change in a GitOps pull
 * request. Exit codes: 0 valid, 1 refused by HAProxy or by the template, 2 wrong usage or unreadable input.
 */
public final class RenderCommand {

    static final String NAME = "render";
    static final int VALID = 0;
    static final int INVALID = 1;
    static final int USAGE = 2;
    static final String HELP = """
            usage: render -f BINDING.yaml (--catalog SNAPSHOT.json | --consul URL [--token-file FILE])
                          [--template FILE.qute] [--validate [--haproxy PATH]]
              -f, --binding   a HaproxyConsulBinding manifest
              --catalog       a catalog snapshot: {"services": {name: [tags]}, "instances": {name: [...]}, "kv": {}}
              --consul        read the catalog once from this Consul (http(s)://host:port)
              --token-file    a file holding the Consul ACL token
              --template      the Qute template named by spec.template.configMapRef (no cluster is read)
              --validate      run haproxy -c on the result (--haproxy, default $HCO_HAPROXY_BINARY or haproxy)
            """;

    private RenderCommand() {
    }

    public static int run(List<String> args, PrintStream out, PrintStream err) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("render: " + e.getMessage());
            err.print(HELP);
            return USAGE;
        }
        if (options.help) {
            out.print(HELP);
            return VALID;
        }
        RenderedConfig rendered;
        try {
            var spec = readSpec(options.binding);
            var model = RoutingModelBuilder.build(spec, snapshot(options, spec));
            model.rejections().forEach(rejection -> err.println("left out: " + rejection));
            rendered = render(options, spec, model);
        } catch (ConfigRenderer.InvalidTemplateException e) {
            err.println("render: template: " + e.getMessage());
            return INVALID;
        } catch (IOException | RuntimeException e) {
            err.println("render: " + Objects.requireNonNullElse(e.getMessage(), e.toString()));
            return USAGE;
        }
        out.print(rendered.text());
        out.flush();
        if (!options.validate) {
            return VALID;
        }
        var result = new HaproxyValidator(options.haproxy, Duration.ofMinutes(1).toMillis()).validate(rendered.text());
        if (!result.valid()) {
            err.println("haproxy -c: " + result.errorLine());
            return INVALID;
        }
        err.println("haproxy -c: configuration " + rendered.hash().value() + " is valid");
        return VALID;
    }

    private static HaproxyConsulBindingSpec readSpec(Path file) throws IOException {
        HaproxyConsulBinding binding;
        try (InputStream in = Files.newInputStream(file)) {
            binding = Serialization.unmarshal(in, HaproxyConsulBinding.class);
        }
        if (binding == null || binding.getSpec() == null) {
            throw new IllegalArgumentException(file + ": spec is missing");
        }
        if (binding.getSpec().routing == null || binding.getSpec().routing.domain == null) {
            throw new IllegalArgumentException(file + ": spec.routing.domain is required");
        }
        return binding.getSpec();
    }

    private static CatalogSnapshot snapshot(Options options, HaproxyConsulBindingSpec spec) throws IOException {
        if (options.catalog != null) {
            return new ObjectMapper().readValue(options.catalog.toFile(), CatalogSnapshot.class);
        }
        String token = options.tokenFile == null ? null : Files.readString(options.tokenFile).strip();
        var endpoint = new ConsulEndpoint(options.consul, spec.consul == null ? null : spec.consul.datacenter, token,
                null, false);
        Vertx vertx = Vertx.vertx();
        try {
            return ConsulSnapshotReader.read(vertx, endpoint, ServiceSelector.from(spec.services),
                    List.of(spec.kv.prefix, spec.kv.servicePrefix), Duration.ofSeconds(30));
        } finally {
            vertx.close();
        }
    }

    private static RenderedConfig render(Options options, HaproxyConsulBindingSpec spec,
            io.haproxyconsul.operator.model.RoutingModel model) throws IOException {
        var renderer = ConfigRenderer.standalone();
        if (options.template != null) {
            return renderer.render(Files.readString(options.template), model);
        }
        if (spec.template.configMapRef != null) {
            throw new IllegalArgumentException("spec.template.configMapRef names ConfigMap "
                    + spec.template.configMapRef.name + ": pass its template with --template FILE");
        }
        return renderer.renderDefault(model);
    }

    /** The command line, checked: one source of catalog, files that exist. */
    private static final class Options {
        Path binding;
        Path catalog;
        URI consul;
        Path tokenFile;
        Path template;
        boolean validate;
        boolean help;
        Path haproxy = Path.of(Objects.requireNonNullElse(System.getenv("HCO_HAPROXY_BINARY"), "haproxy"));

        static Options parse(List<String> args) {
            var options = new Options();
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                switch (arg) {
                    case "-h", "--help" -> options.help = true;
                    case "--validate" -> options.validate = true;
                    case "-f", "--binding" -> options.binding = existing(arg, value(args, ++i, arg));
                    case "--catalog" -> options.catalog = existing(arg, value(args, ++i, arg));
                    case "--consul" -> options.consul = URI.create(value(args, ++i, arg));
                    case "--token-file" -> options.tokenFile = existing(arg, value(args, ++i, arg));
                    case "--template" -> options.template = existing(arg, value(args, ++i, arg));
                    case "--haproxy" -> options.haproxy = Path.of(value(args, ++i, arg));
                    default -> throw new IllegalArgumentException("unknown argument " + arg);
                }
            }
            if (options.help) {
                return options;
            }
            if (options.binding == null) {
                throw new IllegalArgumentException("-f BINDING.yaml is required");
            }
            if ((options.catalog == null) == (options.consul == null)) {
                throw new IllegalArgumentException("give exactly one of --catalog and --consul");
            }
            return options;
        }

        private static String value(List<String> args, int index, String flag) {
            if (index >= args.size()) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            return args.get(index);
        }

        private static Path existing(String flag, String file) {
            Path path = Path.of(file);
            if (!Files.isReadable(path)) {
                throw new IllegalArgumentException(flag + ": cannot read " + file);
            }
            return path;
        }
    }
}
