package io.haproxyconsul.operator.render;

import java.util.HashSet;
import java.util.Set;

/**
 * What {@code haproxy -c} needs to see of a configuration whose server lines the routing model vouches for
 * ({@link RenderedConfig#checkedServerLines()}): in each of the model's backends, the first server line of each
 * kind (its words after the address: {@code check}, {@code check disabled}...), the others blanked. They differ
 * from the one kept only in a slot name, an IP address and a port, all checked, so HAProxy would take them as it
 * takes that one; at 5,000 services of 10 instances the check then parses 10,000 servers instead of 62,500, in a
 * fraction of the time and memory. Blank lines keep HAProxy's line numbers those of the configuration.
 */
public final class CheckCopy {

    private CheckCopy() {
    }

    /** @param modelBackends the names of the routing model's backends */
    public static String of(String text, Set<String> modelBackends) {
        var copy = new StringBuilder(text.length());
        var kinds = new HashSet<String>();
        boolean inModelBackend = false;
        int start = 0;
        while (start < text.length()) {
            int end = text.indexOf('\n', start);
            end = end < 0 ? text.length() : end;
            String line = text.substring(start, end);
            String[] words = line.strip().split("\\s+");
            if (!line.isEmpty() && !Character.isWhitespace(line.charAt(0))
                    && ConfigStructure.SECTIONS.contains(words[0])) {
                inModelBackend = words[0].equals("backend") && words.length > 1 && modelBackends.contains(words[1]);
                kinds.clear();
            } else if (inModelBackend && words[0].equals("server") && !kinds.add(kind(words))) {
                line = "";
            }
            copy.append(line);
            if (end < text.length()) {
                copy.append('\n');
            }
            start = end + 1;
        }
        return copy.toString();
    }

    /** The words after {@code server <name> <address>}, up to a comment. */
    private static String kind(String[] words) {
        var kind = new StringBuilder();
        for (int i = 3; i < words.length && !words[i].startsWith("#"); i++) {
            kind.append(words[i]).append(' ');
        }
        return kind.toString();
    }
}
