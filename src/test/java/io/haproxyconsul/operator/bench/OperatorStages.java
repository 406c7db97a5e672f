package io.haproxyconsul.operator.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The operator's own timers from {@code /q/metrics} (count and total seconds), to tell where a change spends its
 * time inside the operator: rendering, {@code haproxy -c}, the ConfigMap's write (beside it), and reads of Consul.
 */
record OperatorStages(Map<String, double[]> timers) {

    private static final Map<String, String> SHOWN = new LinkedHashMap<>();

    static {
        SHOWN.put("hco_render_seconds", "render");
        SHOWN.put("hco_validation_seconds", "haproxy -c");
        SHOWN.put("hco_configmap_write_seconds", "ConfigMap write");
        SHOWN.put("hco_consul_query_seconds{kind=\"instances\"", "instance reads");
    }

    static OperatorStages read(int port) throws Exception {
        String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/q/metrics")).build(), BodyHandlers.ofString()).body();
        var timers = new HashMap<String, double[]>();
        for (var line : text.split("\n")) {
            SHOWN.keySet().forEach(name -> {
                String prefix = name.contains("{") ? name.replace("_seconds{", "_seconds_%s{") : name + "_%s";
                for (int i = 0; i < 2; i++) {
                    String sample = prefix.formatted(i == 0 ? "count" : "sum");
                    if (line.startsWith(sample)) {
                        timers.computeIfAbsent(name, n -> new double[2])[i] +=
                                Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                    }
                }
            });
        }
        return new OperatorStages(timers);
    }

    /** Counts and mean durations between an earlier reading and this one. */
    String since(OperatorStages earlier) {
        var parts = new StringBuilder();
        SHOWN.forEach((name, label) -> {
            double[] now = timers.getOrDefault(name, new double[2]);
            double[] then = earlier.timers.getOrDefault(name, new double[2]);
            double count = now[0] - then[0];
            parts.append(String.format(Locale.ROOT, "%s%s %.0f × %.1f ms", parts.isEmpty() ? "" : ", ", label,
                    count, count == 0 ? 0 : (now[1] - then[1]) * 1000 / count));
        });
        return parts.toString();
    }
}
