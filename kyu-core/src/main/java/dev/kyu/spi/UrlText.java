package dev.kyu.spi;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * Decodes the %-escapes of one part of a broker URL (a user, a password, a path, an option's name or
 * value) the same way for every engine: {@code %XX} is a byte, the bytes are UTF-8, and {@code +} stays a
 * plus (a password may hold one; only HTML forms write a space as {@code +}). A bad escape or bytes that
 * are not UTF-8 are reported by where they are, never by the text around them, which may be a password.
 */
public final class UrlText {
    private UrlText() {}

    /**
     * The decoded text of {@code part}.
     *
     * @param what names the part in the message ("the password", "option timeout")
     * @param bad  makes the engine's own exception from the one-line reason, which the engine prefixes with
     *             its name and the redacted URL
     */
    public static String decode(String part, String what, Function<String, ? extends RuntimeException> bad) {
        if (part.indexOf('%') < 0) return part;
        var bytes = new ByteArrayOutputStream(part.length());
        for (int i = 0; i < part.length(); ) {
            char c = part.charAt(i);
            if (c != '%') {
                int end = i + Character.charCount(part.codePointAt(i));
                bytes.writeBytes(part.substring(i, end).getBytes(StandardCharsets.UTF_8));
                i = end;
                continue;
            }
            int hi = i + 2 < part.length() ? Character.digit(part.charAt(i + 1), 16) : -1;
            int lo = hi >= 0 ? Character.digit(part.charAt(i + 2), 16) : -1;
            if (hi < 0 || lo < 0) {
                throw bad.apply("invalid %-escape in " + what + " at character " + (i + 1)
                        + ": % must be followed by two hex digits (write a literal % as %25)");
            }
            bytes.write(hi * 16 + lo);
            i += 3;
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw bad.apply("invalid %-escape in " + what + ": the escaped bytes are not UTF-8");
        }
    }
}
