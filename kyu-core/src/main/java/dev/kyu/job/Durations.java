package dev.kyu.job;

import java.time.Duration;
import java.util.regex.Pattern;

/** Human durations as users type them: {@code 250ms}, {@code 10s}, {@code 5m}, {@code 2h}, {@code 1d}, or ISO-8601 {@code PT10S}. */
public final class Durations {
    private static final Pattern SIMPLE = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private Durations() {}

    /** The longest duration Kyu takes anywhere (delays, timeouts, periods): 100 years, well inside what every engine stores. */
    public static final Duration MAX = Duration.ofDays(36_500);

    public static Duration parse(String text) {
        if (text == null || text.isBlank())
            throw new IllegalArgumentException("empty duration: expected e.g. 250ms, 10s, 5m, 2h, 1d");
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        var m = SIMPLE.matcher(t);
        Duration d;
        try {
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                d = switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
            } else {
                d = Duration.parse(text.trim().toUpperCase(java.util.Locale.ROOT));
            }
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException(
                    "bad duration '" + text + "': expected e.g. 250ms, 10s, 5m, 2h, 1d or PT10S");
        } catch (NumberFormatException | ArithmeticException e) {
            throw tooLong(text);
        }
        if (d.abs().compareTo(MAX) > 0) throw tooLong(text);
        return d;
    }

    private static IllegalArgumentException tooLong(String text) {
        return new IllegalArgumentException("bad duration '" + text + "': at most " + MAX.toDays() + "d (100 years)");
    }

    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 86_400_000L == 0 && ms != 0) return ms / 86_400_000L + "d";
        if (ms % 3_600_000L == 0 && ms != 0) return ms / 3_600_000L + "h";
        if (ms % 60_000L == 0 && ms != 0) return ms / 60_000L + "m";
        if (ms % 1000L == 0) return ms / 1000L + "s";
        return ms + "ms";
    }
}
