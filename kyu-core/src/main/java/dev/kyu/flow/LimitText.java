package dev.kyu.flow;

import dev.kyu.KyuException;
import dev.kyu.codec.Printable;
import dev.kyu.job.Durations;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Limits as people type and read them on the command line and the dashboard: a rate is {@code N/PERIOD}
 * ({@code 100/1s}, {@code 10/1m}, {@code 5/s}), a concurrency is a count of jobs running at once.
 */
public final class LimitText {
    private static final Pattern RATE = Pattern.compile("\\s*([-+]?\\d+)\\s*/\\s*(\\S+)\\s*");

    private LimitText() {}

    /** A rate as typed: how many jobs per how long. */
    public record Rate(long permits, Duration period) {}

    /** Parses {@code N/PERIOD}; a one-line {@link KyuException.InvalidInput} naming the text otherwise. */
    public static Rate parseRate(String text) {
        var m = text == null ? null : RATE.matcher(text);
        if (m == null || !m.matches()) {
            throw new KyuException.InvalidInput(
                    "bad rate " + Printable.quoted(text) + ": expected N/PERIOD such as 100/1s, 10/1m or 5/250ms");
        }
        long permits;
        try {
            permits = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new KyuException.InvalidInput("bad rate " + Printable.quoted(text) + ": the count is too large");
        }
        if (permits < 1)
            throw new KyuException.InvalidInput(
                    "bad rate " + Printable.quoted(text) + ": at least 1 job per period, was " + permits);
        String p = m.group(2);
        // "5/s" reads as "5 per second"
        if (p.matches("(?i)ms|s|m|h|d")) p = "1" + p;
        Duration period;
        try {
            period = Durations.parse(p);
        } catch (IllegalArgumentException e) {
            throw new KyuException.InvalidInput("bad rate " + Printable.quoted(text) + ": period "
                    + Printable.quoted(m.group(2)) + " is not a duration such as 1s, 1m, 250ms or 1h");
        }
        if (period.toMillis() < 1)
            throw new KyuException.InvalidInput(
                    "bad rate " + Printable.quoted(text) + ": the period must be at least 1ms");
        return new Rate(permits, period);
    }

    /** A rate as {@link #parseRate} reads it back: {@code 100/1s}. */
    public static String rate(long permits, Duration period) {
        return permits + "/" + Durations.format(period);
    }

    /** The rule of a limit in a few words: {@code 100/1s burst 5} or {@code 5 running}. */
    public static String rule(Limit l) {
        if (l.kind() == Limit.Kind.RATE)
            return rate(l.permits(), l.period()) + (l.burst() > 1 ? " burst " + l.burst() : "");
        return l.permits() + " running";
    }

    /** The target as the command line names it: {@code task:shop.charge} or {@code queue:mail}. */
    public static String target(Limit l) {
        return l.target().scope().name().toLowerCase(java.util.Locale.ROOT) + ":"
                + l.target().name();
    }
}
