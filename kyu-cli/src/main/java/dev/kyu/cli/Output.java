package dev.kyu.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.kyu.codec.JsonCodec;
import dev.kyu.codec.Printable;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes what commands print: JSON (the stable {@code --json} shapes, indented) and lines and aligned
 * tables for people. Every human line passes through {@link Printable#line}, so text from jobs (names,
 * args, error messages) cannot move the cursor, clear the screen or forge a line; JSON stays exact.
 */
public final class Output {
    /** Indented, with {@code "key": value} as people write it. */
    private static final ObjectWriter JSON = JsonCodec.shared().mapper().writer(prettyPrinter());

    private final PrintWriter out;

    private static DefaultPrettyPrinter prettyPrinter() {
        var p = new DefaultPrettyPrinter()
                .withSeparators(Separators.createDefaultInstance()
                        .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                        .withArrayEmptySeparator("")
                        .withObjectEmptySeparator(""));
        p.indentArraysWith(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE);
        return p;
    }

    public Output(PrintWriter out) {
        this.out = out;
    }

    public void json(JsonNode node) {
        try {
            out.println(Printable.json(JSON.writeValueAsString(node)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
        out.flush();
    }

    public void line(String text) {
        out.println(Printable.line(text));
        out.flush();
    }

    /** A table whose columns are as wide as their widest cell, two spaces apart. */
    public void table(List<String> headers, List<List<String>> rows) {
        int[] width = new int[headers.size()];
        var all = new ArrayList<List<String>>();
        all.add(headers);
        all.addAll(rows);
        for (List<String> row : all) {
            for (int i = 0; i < width.length; i++)
                width[i] = Math.max(width[i], cell(row, i).length());
        }
        for (List<String> row : all) {
            var sb = new StringBuilder();
            for (int i = 0; i < width.length; i++) {
                String c = cell(row, i);
                sb.append(c);
                if (i < width.length - 1) sb.append(" ".repeat(width[i] - c.length() + 2));
            }
            out.println(sb.toString().stripTrailing());
        }
        out.flush();
    }

    private static String cell(List<String> row, int i) {
        String c = i < row.size() ? row.get(i) : "";
        return c == null ? "-" : Printable.line(c);
    }

    /** "3s ago", "5m ago": how long ago {@code t} was, judged by {@code now}. */
    public static String ago(Instant t, Instant now) {
        if (t == null) return "-";
        return human(Duration.between(t, now)) + " ago";
    }

    public static String human(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 1) return Math.max(0, d.toMillis()) + "ms";
        if (s < 120) return s + "s";
        if (s < 7200) return s / 60 + "m";
        if (s < 172_800) return s / 3600 + "h";
        return s / 86_400 + "d";
    }

    /** Text as one line (line breaks and controls escaped, see {@link Printable}) of at most {@code max} characters. */
    public static String shorten(String text, int max) {
        if (text == null) return "";
        String one = Printable.line(text.strip());
        return one.length() <= max ? one : one.substring(0, max - 1) + "…";
    }
}
