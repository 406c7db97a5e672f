package io.haproxyconsul.operator.runtime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The answer to {@code show servers state}: every server slot of every backend of a running HAProxy. Columns are
 * found by the names of the header line, which newer HAProxy versions extend.
 */
public record ServersState(Map<String, List<ServerSlot>> backends) {

    public static ServersState parse(String output) {
        List<String> columns = null;
        var backends = new LinkedHashMap<String, List<ServerSlot>>();
        for (String line : output.split("\n")) {
            if (line.startsWith("# ")) {
                columns = Arrays.asList(line.substring(2).strip().split(" "));
                continue;
            }
            if (columns == null || line.isBlank()) {
                continue;
            }
            String[] fields = line.strip().split(" ");
            if (fields.length < columns.size()) {
                throw new IllegalArgumentException("show servers state: a line with " + fields.length
                        + " fields where the header names " + columns.size() + ": " + line);
            }
            String fqdn = fields[columns.indexOf("srv_fqdn")];
            var slot = new ServerSlot(fields[columns.indexOf("be_name")],
                    Integer.parseInt(fields[columns.indexOf("srv_id")]), fields[columns.indexOf("srv_name")],
                    fields[columns.indexOf("srv_addr")], Integer.parseInt(fields[columns.indexOf("srv_port")]),
                    "-".equals(fqdn) ? null : fqdn, Integer.parseInt(fields[columns.indexOf("srv_admin_state")]));
            backends.computeIfAbsent(slot.backend(), b -> new ArrayList<>()).add(slot);
        }
        if (columns == null && !output.isBlank() && !output.strip().equals("1")) {
            throw new IllegalArgumentException("not an answer to show servers state: " + output.strip());
        }
        backends.values().forEach(slots -> slots.sort(Comparator.comparingInt(ServerSlot::id)));
        return new ServersState(Map.copyOf(backends));
    }
}
