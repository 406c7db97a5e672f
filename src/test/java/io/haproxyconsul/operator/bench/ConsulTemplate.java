package io.haproxyconsul.operator.bench;

import io.haproxyconsul.operator.testenv.ManagedProcess;
import io.haproxyconsul.operator.testenv.RealParts;
import io.haproxyconsul.operator.testenv.RealParts.Part;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The benchmarks' peer: consul-template rendering the seed's template (written for today's syntax:
 * {@code keyOrDefault}, {@code range services}, {@code service .Name}), then running a command on the result as
 * the seed's restart script did. No debounce ({@code wait}), as for the operator's binding.
 */
final class ConsulTemplate {

    private static final String TEMPLATE = """
            global
                maxconn {{ keyOrDefault "service/haproxy/maxconn" "4096" }}
            defaults
                mode http
                timeout connect 5s
                timeout client 50s
                timeout server 50s
            frontend http
                bind %s
            {{- range services }}{{ if .Tags | contains "http" }}
                acl host_{{ .Name }} hdr(host) -i {{ .Name }}.bench.test
                use_backend be_{{ .Name }} if host_{{ .Name }}
            {{- end }}{{ end }}
            {{ range services }}{{ if .Tags | contains "http" }}
            backend be_{{ .Name }}
                balance leastconn
                option httpchk GET /
            {{- range service .Name }}
                server {{ .ID }} {{ .Address }}:{{ .Port }} check
            {{- end }}
            {{ end }}{{ end }}
            """;

    private ConsulTemplate() {
    }

    /**
     * Starts consul-template on the Consul at {@code consulPort}: it renders the seed's template, whose frontend
     * binds {@code bind} ({@code address:port}), into {@code destination}, then runs {@code command} with
     * {@code sh -c}.
     */
    static ManagedProcess start(Path work, int consulPort, String bind, Path destination, String command)
            throws IOException {
        Path template = Files.writeString(work.resolve("haproxy.ctmpl"), TEMPLATE.formatted(bind));
        Files.writeString(work.resolve("config.hcl"), """
                consul { address = "127.0.0.1:%d" }
                log_level = "warn"
                template {
                  source      = "%s"
                  destination = "%s"
                  exec {
                    command = ["sh", "-c", "%s"]
                  }
                }
                """.formatted(consulPort, template, destination, command));
        return ManagedProcess.start("consul-template", List.of(RealParts.require(Part.CONSUL_TEMPLATE).toString(),
                "-config", work.resolve("config.hcl").toString()), work, Map.of());
    }
}
