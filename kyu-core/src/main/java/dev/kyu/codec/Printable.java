package dev.kyu.codec;

/**
 * Text from jobs (names, args, results, error messages, stack traces) made safe to print on a terminal or
 * in a log line. Stored text is the user's and stays exact; only what is shown is escaped, so that a
 * stored {@code ESC [2J} cannot clear the screen, a newline cannot forge a second log line, and a lone
 * UTF-16 surrogate (which no encoder can write, so it would print as {@code ?}) shows as {@code \}{@code ud800}.
 *
 * <p>Escaped: C0 controls ({@code \n}, {@code \r}, {@code \t} by name, the others as {@code \}{@code u001b}), DEL
 * and the C1 controls (U+0080–U+009F: some terminals read U+009B as a control sequence), the characters
 * that reorder text on screen (bidirectional overrides, isolates and marks), the line and paragraph
 * separators, and lone surrogates. A backslash is left as it is: shown text is for people, and JSON
 * text with its own escapes stays readable.
 */
public final class Printable {
    private Printable() {}

    /** Values quoted in error messages are cut after this many characters (names are at most 200). */
    public static final int MAX_QUOTED = 300;

    /** One-line text: every character above escaped, newlines and tabs included. */
    public static String line(String text) {
        return escape(text, false);
    }

    /** Text of several lines (a stack trace): newlines and tabs stay, every other character above is escaped. */
    public static String block(String text) {
        return escape(text, true);
    }

    /** A value quoted in an error message, in full up to {@link #MAX_QUOTED} characters: {@code 'a\nb'}. */
    public static String quoted(String value) {
        if (value == null) return "null";
        String shown = value.length() <= MAX_QUOTED
                ? value
                : value.substring(0, MAX_QUOTED) + "… (" + value.length() + " characters)";
        return "'" + line(shown) + "'";
    }

    /**
     * JSON text written by Jackson, made safe for a terminal and still exactly the same JSON: Jackson
     * already escapes C0 controls, and every other character this class escapes can only occur inside a
     * JSON string, where {@code \}{@code uXXXX} stands for exactly that character.
     */
    public static String json(String json) {
        if (json == null || !needsAny(json, true)) return json;
        var sb = new StringBuilder(json.length() + 16);
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c >= 0x7f && needsEscape(json, i)) unicode(sb, c);
            else sb.append(c);
        }
        return sb.toString();
    }

    /**
     * JSON text with every lone surrogate written as a {@code \}{@code uXXXX} escape: the same JSON value,
     * but one that survives being stored or sent as UTF-8 (encoders turn a lone surrogate into {@code ?}).
     * Jackson writes such a character raw; only a JSON string can hold one.
     */
    public static String jsonForUtf8(String json) {
        if (json == null) return null;
        int i = firstLoneSurrogate(json);
        if (i < 0) return json;
        var sb = new StringBuilder(json.length() + 8).append(json, 0, i);
        for (; i < json.length(); i++) {
            char c = json.charAt(i);
            if (isLoneSurrogate(json, i)) unicode(sb, c);
            else sb.append(c);
        }
        return sb.toString();
    }

    /** True when the text holds a UTF-16 surrogate without its pair: not Unicode text, and no encoder can write it. */
    public static boolean hasLoneSurrogate(String s) {
        return s != null && firstLoneSurrogate(s) >= 0;
    }

    private static int firstLoneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (isLoneSurrogate(s, i)) return i;
        }
        return -1;
    }

    private static String escape(String text, boolean keepLines) {
        if (text == null || !needsAny(text, keepLines)) return text;
        var sb = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (keepLines && (c == '\n' || c == '\t')) {
                sb.append(c);
            } else if (keepLines && c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                continue; // a Windows line end is a line end, not a control to show
            } else if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\t') {
                sb.append("\\t");
            } else if (c < 0x20 || c >= 0x7f && needsEscape(text, i)) {
                unicode(sb, c);
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** The common case, text with nothing to escape, is answered by one scan without copying. */
    private static boolean needsAny(String s, boolean keepLines) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 ? !(keepLines && (c == '\n' || c == '\t')) : c >= 0x7f && needsEscape(s, i)) return true;
        }
        return false;
    }

    /** DEL, C1, the characters that reorder text, the line separators, lone surrogates; C0 is the callers' rule. */
    private static boolean needsEscape(String s, int i) {
        char c = s.charAt(i);
        if (c == 0x7f || (c >= 0x80 && c <= 0x9f)) return true;
        if (c == '\u061c'
                || c == '\u200e'
                || c == '\u200f'
                || (c >= '\u202a' && c <= '\u202e')
                || (c >= '\u2066' && c <= '\u2069')
                || c == '\u2028'
                || c == '\u2029') return true;
        return isLoneSurrogate(s, i);
    }

    private static boolean isLoneSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
        if (Character.isLowSurrogate(c)) return i == 0 || !Character.isHighSurrogate(s.charAt(i - 1));
        return false;
    }

    private static void unicode(StringBuilder sb, char c) {
        sb.append("\\u")
                .append(Character.forDigit(c >> 12 & 0xf, 16))
                .append(Character.forDigit(c >> 8 & 0xf, 16))
                .append(Character.forDigit(c >> 4 & 0xf, 16))
                .append(Character.forDigit(c & 0xf, 16));
    }
}
