package io.haproxyconsul.operator.render;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The content address of a configuration: the first 16 hex digits of the SHA-256 of its bytes. */
public record ConfigHash(String value) {

    public static ConfigHash of(String text) {
        return of(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Of text already encoded in UTF-8. */
    public static ConfigHash of(byte[] utf8) {
        try {
            byte[] sha = MessageDigest.getInstance("SHA-256").digest(utf8);
            return new ConfigHash(HexFormat.of().formatHex(sha, 0, 8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }

    @Override
    public String toString() {
        return value;
    }
}
