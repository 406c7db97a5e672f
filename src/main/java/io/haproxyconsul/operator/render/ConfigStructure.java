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

    /** The keywords that open a section of haproxy.cfg. */
    static final Set<String> SECTIONS = Set.of("global", "defaults", "frontend", "backend", "listen",
            "userlist", "peers", "resolvers", "mailers", "program", "http-errors", "ring", "cache", "fcgi-app",
            "crt-store", "traces");
    private static final byte[] SERVER = "server".getBytes(StandardCharsets.US_ASCII);

    /**
     * Reads the configuration's UTF-8 bytes in place, line by line (a newline byte is never part of a multi-byte
     * character): only the few lines that open a section become strings.
     *
     * @param template identifies the template: a change of it is structural, even in server lines alone
     * @param utf8 the configuration's text in UTF-8
     * @param modelBackends the names of the routing model's backends
     */
    public static ConfigStructure of(String template, byte[] utf8, Set<String> modelBackends) {
        var digest = sha256();
        digest.update(template.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) '\n');
        var drawn = new TreeSet<String>();
        boolean inModelBackend = false;
        int start = 0;
        while (start < utf8.length) {
            int end = indexOfNewline(utf8, start);
            if (end > start && opensLine(utf8[start])) {
                String line = new String(utf8, start, end - start, StandardCharsets.UTF_8);
                if (!Character.isWhitespace(line.charAt(0))) {
                    String[] words = line.strip().split("\\s+", 3);
                    if (SECTIONS.contains(words[0])) {
                        inModelBackend = words[0].equals("backend") && words.length > 1
                                && modelBackends.contains(words[1]);
                        if (inModelBackend) {
                            drawn.add(words[1]);
                        }
                    }
                }
            }
            if (!(inModelBackend && isServerLine(utf8, start, end))) {
                digest.update(utf8, start, end - start);
                digest.update((byte) '\n');
            }
            start = end + 1;
        }
        return new ConfigStructure(HexFormat.of().formatHex(digest.digest(), 0, 8), Set.copyOf(drawn));
    }

    private static int indexOfNewline(byte[] utf8, int from) {
        for (int i = from; i < utf8.length; i++) {
            if (utf8[i] == '\n') {
                return i;
            }
        }
        return utf8.length;
    }

    /** Whether a line starting with this byte may open a section: not ASCII white space (a non-ASCII may). */
    private static boolean opensLine(byte first) {
        return first < 0 || !Character.isWhitespace(first);
    }

    /** {@code server} after leading white space, followed by a space or a tab. */
    private static boolean isServerLine(byte[] utf8, int start, int end) {
        int i = start;
        while (i < end && utf8[i] >= 0 && Character.isWhitespace(utf8[i])) {
            i++;
        }
        if (i < end && utf8[i] < 0) {
            // White space beyond ASCII, as String.stripLeading() sees it: rare enough to decode.
            String stripped = new String(utf8, i, end - i, StandardCharsets.UTF_8).stripLeading();
            return stripped.startsWith("server ") || stripped.startsWith("server\t");
        }
        if (end - i <= SERVER.length) {
            return false;
        }
        for (int k = 0; k < SERVER.length; k++) {
            if (utf8[i + k] != SERVER[k]) {
                return false;
            }
        }
        byte after = utf8[i + SERVER.length];
        return after == ' ' || after == '\t';
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }
}
