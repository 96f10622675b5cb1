package dev.kyu.cli;

import dev.kyu.KyuException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line's arguments as UTF-8, whatever the locale (docs/cli.md, "Text"). The JVM decodes argv
 * with the locale's encoding ({@code sun.jnu.encoding}, which no flag can change): under {@code LC_ALL=C}
 * (cron, containers, systemd units) {@code é} arrives as two U+FFFD, and in any locale bytes that are not
 * UTF-8 arrive as U+FFFD, which would be stored as such without a word. Where the raw bytes can be read
 * ({@code /proc/self/cmdline} on Linux) they are decoded again, strictly; elsewhere (macOS decodes argv
 * as UTF-8, Windows passes UTF-16) an argument holding U+FFFD is refused, since that is what the JVM made
 * of bytes that were not UTF-8.
 */
final class Utf8Args {
    private static final Path CMDLINE = Path.of("/proc/self/cmdline");

    private Utf8Args() {}

    /** The arguments as the user wrote them; throws {@link KyuException.InvalidInput} for one that is not UTF-8. */
    static String[] of(String[] jvmArgs) {
        List<byte[]> raw = rawArgs(jvmArgs.length);
        if (raw != null && matches(raw, jvmArgs)) {
            var out = new String[jvmArgs.length];
            for (int i = 0; i < out.length; i++) out[i] = decode(raw.get(i), i, i == 0 ? null : jvmArgs[i - 1]);
            return out;
        }
        for (int i = 0; i < jvmArgs.length; i++) {
            if (jvmArgs[i].indexOf('\uFFFD') >= 0) {
                throw new KyuException.InvalidInput(which(i, i == 0 ? null : jvmArgs[i - 1])
                        + " holds U+FFFD, the mark of bytes that are not UTF-8: "
                        + dev.kyu.codec.Printable.quoted(jvmArgs[i]));
            }
        }
        return jvmArgs;
    }

    /** The last {@code n} entries of this process's argv as bytes, or null when the system does not show them. */
    private static List<byte[]> rawArgs(int n) {
        byte[] all;
        try {
            if (!Files.isReadable(CMDLINE)) return null;
            all = Files.readAllBytes(CMDLINE);
        } catch (IOException | SecurityException e) {
            return null;
        }
        var entries = new ArrayList<byte[]>();
        int start = 0;
        for (int i = 0; i < all.length; i++) {
            if (all[i] == 0) {
                entries.add(java.util.Arrays.copyOfRange(all, start, i));
                start = i + 1;
            }
        }
        if (entries.size() < n) return null;
        return entries.subList(entries.size() - n, entries.size());
    }

    /**
     * True when the raw entries are the arguments the JVM was given, decoded as the JVM decodes them, so
     * that an embedding (a launcher that rewrites its argv, a test calling {@code main}) never swaps in
     * other text than the JVM's own arguments.
     */
    private static boolean matches(List<byte[]> raw, String[] jvmArgs) {
        Charset jnu;
        try {
            jnu = Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        } catch (RuntimeException e) {
            return false;
        }
        for (int i = 0; i < jvmArgs.length; i++) {
            if (!new String(raw.get(i), jnu).equals(jvmArgs[i])) return false;
        }
        return true;
    }

    private static String decode(byte[] bytes, int index, String before) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new KyuException.InvalidInput(which(index, before) + " is not UTF-8 text: '" + showBytes(bytes)
                    + "' (Kyu reads its arguments as UTF-8 whatever the locale)");
        }
    }

    /** "the value of --args (argument 4)" when an option precedes it, else "argument 4", counted after {@code kyu}. */
    private static String which(int index, String before) {
        String n = "argument " + (index + 1);
        return before != null && before.startsWith("-") && !before.contains("=")
                ? "the value of " + before + " (" + n + ")"
                : n;
    }

    /** The argument with each byte that is not UTF-8 shown as {@code \xFF}, the rest escaped for one line. */
    static String showBytes(byte[] bytes) {
        CharsetDecoder d = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        var shown = new StringBuilder();
        while (true) {
            CoderResult r = d.decode(in, out, true);
            out.flip();
            shown.append(dev.kyu.codec.Printable.line(out.toString()));
            out.clear();
            if (r.isUnderflow()) break;
            if (r.isError()) {
                for (int k = 0; k < r.length(); k++) shown.append(String.format("\\x%02X", in.get() & 0xff));
            }
        }
        return shown.length() > 2 * dev.kyu.codec.Printable.MAX_QUOTED
                ? shown.substring(0, 2 * dev.kyu.codec.Printable.MAX_QUOTED) + "…"
                : shown.toString();
    }
}
