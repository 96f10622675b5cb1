package dev.kyu.cli;

import dev.kyu.KyuException;
import dev.kyu.codec.JsonCodec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * JSON lines (one JSON value per line, docs/cli.md) read whole and checked whole before anything is stored,
 * so that one bad line refuses the input with its line number and leaves the broker as it was. Lines are
 * strict UTF-8; blank lines are skipped but counted, so numbers match the user's editor; a byte-order mark
 * on the first line and a {@code \r} before each newline are dropped.
 */
public final class JsonLines {
    /** The args size limit of a job (Kyu's default payload limit, which the command line keeps). */
    static final int MAX_LINE_BYTES = 1024 * 1024;

    private JsonLines() {}

    /** Every non-blank line of {@code in}, each a valid JSON text; {@code source} names the input in errors ("stdin", a file). */
    public static List<String> read(InputStream in, String source, JsonCodec codec) {
        byte[] all;
        try {
            all = in.readAllBytes();
        } catch (IOException e) {
            throw new KyuException.InvalidInput("cannot read " + source + ": " + e.getMessage());
        }
        var lines = new ArrayList<String>();
        var utf8 = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        int start = 0;
        for (int number = 1; start < all.length; number++) {
            int end = start;
            while (end < all.length && all[end] != '\n') end++;
            int next = end + 1;
            if (end > start && all[end - 1] == '\r') end--;
            if (end - start > MAX_LINE_BYTES) {
                throw bad(
                        source,
                        number,
                        "args are " + (end - start) + " bytes, over the limit of " + MAX_LINE_BYTES + " bytes (1 MiB)");
            }
            String line;
            try {
                line = utf8.reset()
                        .decode(ByteBuffer.wrap(all, start, end - start))
                        .toString();
            } catch (CharacterCodingException e) {
                throw bad(source, number, "not valid UTF-8");
            }
            if (number == 1 && line.startsWith("\uFEFF")) line = line.substring(1);
            start = next;
            if (line.isBlank()) continue;
            try {
                codec.validate(line);
            } catch (KyuException.InvalidInput e) {
                throw bad(source, number, e.getMessage());
            }
            lines.add(line);
        }
        return lines;
    }

    private static KyuException.InvalidInput bad(String source, int line, String why) {
        return new KyuException.InvalidInput("line " + line + " of " + source + ": " + why + "; nothing was stored");
    }
}
