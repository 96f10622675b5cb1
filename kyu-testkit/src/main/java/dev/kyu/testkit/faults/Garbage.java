package dev.kyu.testkit.faults;

import java.nio.charset.StandardCharsets;

/**
 * The kinds of garbage every engine's fixture writes into every field it stores, and their values.
 * Engines write them as their storage allows: a byte string where it holds bytes, a typed value
 * (text in a number column, a number in a text column) where it has types.
 */
public final class Garbage {
    private Garbage() {}

    public enum Kind {
        /** SQL NULL, a missing hash field. */
        MISSING,
        EMPTY,
        /** A value of the wrong type: text where a number is stored, a number where JSON text is. */
        WRONG_TYPE,
        /** Over a megabyte: above Kyu's payload limit. */
        HUGE,
        /** Bytes that are not UTF-8. */
        INVALID_UTF8,
        /** A value of the right type outside the range Kyu writes (negative, the type's maximum, infinity, a foreign name). */
        OUT_OF_RANGE
    }

    /** Over Kyu's default payload limit of 1 MiB. */
    public static final int HUGE_LENGTH = 1024 * 1024 + 17;

    private static String huge;

    public static synchronized String huge() {
        if (huge == null) huge = "x".repeat(HUGE_LENGTH);
        return huge;
    }

    /** A lone continuation byte, an overlong encoding and a truncated sequence: invalid in UTF-8 however read. */
    public static byte[] invalidUtf8() {
        return new byte[] {(byte) 0x80, 'a', (byte) 0xC0, (byte) 0xAF, (byte) 0xE2, (byte) 0x82};
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
