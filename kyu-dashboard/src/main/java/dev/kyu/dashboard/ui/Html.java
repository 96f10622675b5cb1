package dev.kyu.dashboard.ui;

import java.time.Duration;
import java.time.Instant;

/**
 * Escaping and small formatting for server-rendered pages. Every value that comes from a job, a queue, a
 * worker or a request goes through {@link #esc}: job args are data, never markup.
 */
public final class Html {
    private Html() {}

    public static String esc(Object value) {
        if (value == null) return "";
        // Controls and lone surrogates shown as escapes, as on the command line: a lone surrogate would
        // otherwise reach the page as '?', which no longer says what the job holds.
        String s = dev.kyu.codec.Printable.block(value.toString());
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** A query-string value. */
    public static String url(String s) {
        return java.net.URLEncoder.encode(s == null ? "" : s, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** "3s", "5m 2s", "2h 10m", "3d 4h". */
    public static String age(Duration d) {
        if (d == null) return "";
        long s = Math.max(0, d.toSeconds());
        if (s < 60) return s + "s";
        if (s < 3600) return (s / 60) + "m " + (s % 60) + "s";
        if (s < 86400) return (s / 3600) + "h " + (s % 3600 / 60) + "m";
        return (s / 86400) + "d " + (s % 86400 / 3600) + "h";
    }

    public static String ago(Instant t, Instant now) {
        return t == null ? "" : age(Duration.between(t, now)) + " ago";
    }

    public static String time(Instant t) {
        if (t == null) return "";
        String shown = t.truncatedTo(java.time.temporal.ChronoUnit.MILLIS)
                .toString()
                .replace('T', ' ')
                .replace("Z", " UTC");
        return "<time datetime=\"" + esc(t) + "\">" + esc(shown) + "</time>";
    }

    public static String bytes(long n) {
        if (n < 0) return "";
        if (n < 1024 * 1024) return (n / 1024) + " KiB";
        return String.format("%.1f MiB", n / (1024.0 * 1024));
    }

    public static String state(Object state) {
        String s = esc(state);
        return "<span class=\"state state-" + s.toLowerCase() + "\">" + s + "</span>";
    }
}
