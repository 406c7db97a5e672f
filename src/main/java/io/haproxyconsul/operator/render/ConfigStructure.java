package io.haproxyconsul.operator.render;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a running HAProxy can only take by loading a new configuration: the whole text and its template, except
 * the {@code server} lines of the backends whose servers the Runtime API sets (those the routing model drew).
 * Two configurations of the same structure differ only in servers, which reach running pods without a reload.
 *
 * @param hash first 16 hex digits of a SHA-256 over the template's identity and the structural lines
 * @param runtimeBackends the routing model's backends that the text draws, by name
 */
public record ConfigStructure(String hash, Set<String> runtimeBackends) {

    private static final Set<String> SECTIONS = Set.of("global", "defaults", "frontend", "backend", "listen",
            "userlist", "peers", "resolvers", "mailers", "program", "http-errors", "ring", "cache", "fcgi-app",
            "crt-store", "traces");

    /**
     * @param template identifies the template: a change of it is structural, even in server lines alone
     * @param modelBackends the names of the routing model's backends
     */
    public static ConfigStructure of(String template, String text, Set<String> modelBackends) {
        var digest = sha256();
        digest.update(template.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) '\n');
        var drawn = new TreeSet<String>();
        boolean inModelBackend = false;
        int start = 0;
        while (start < text.length()) {
            int end = text.indexOf('\n', start);
            end = end < 0 ? text.length() : end;
            String line = text.substring(start, end);
            if (!line.isEmpty() && !Character.isWhitespace(line.charAt(0))) {
                String[] words = line.strip().split("\\s+", 3);
                if (SECTIONS.contains(words[0])) {
                    inModelBackend = words[0].equals("backend") && words.length > 1
                            && modelBackends.contains(words[1]);
                    if (inModelBackend) {
                        drawn.add(words[1]);
                    }
                }
            }
            if (!(inModelBackend && isServerLine(line))) {
                digest.update(line.getBytes(StandardCharsets.UTF_8));
                digest.update((byte) '\n');
            }
            start = end + 1;
        }
        return new ConfigStructure(HexFormat.of().formatHex(digest.digest(), 0, 8), Set.copyOf(drawn));
    }

    private static boolean isServerLine(String line) {
        String stripped = line.stripLeading();
        return stripped.startsWith("server ") || stripped.startsWith("server\t");
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }
}
