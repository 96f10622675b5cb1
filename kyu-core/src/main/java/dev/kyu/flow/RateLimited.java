package dev.kyu.flow;

import java.time.Duration;
import java.util.Objects;

/**
 * Thrown by a task whose downstream answered "too many requests" (HTTP 429 or 503 with {@code Retry-After}):
 * the job goes back to wait for {@code retryAfter} without spending an attempt, and every limit that applies to
 * it pauses its key (or the whole limit, when it has no key) for the same time on every worker. A wait longer
 * than {@link dev.kyu.job.Durations#MAX} (100 years) is cut to it.
 */
public class RateLimited extends RuntimeException {
    private final Duration retryAfter;

    public RateLimited(Duration retryAfter) {
        this(retryAfter, "rate limited downstream; retry after " + retryAfter);
    }

    public RateLimited(Duration retryAfter, String message) {
        super(message, null, false, false);
        Objects.requireNonNull(retryAfter, "retryAfter");
        if (retryAfter.isNegative())
            throw new IllegalArgumentException("retryAfter must not be negative, was " + retryAfter);
        // A Retry-After of centuries (a downstream's garbage header) waits the longest a job can be delayed, 100 years:
        // beyond it no engine can store the due time, and the job would neither wait nor run.
        this.retryAfter = retryAfter.compareTo(dev.kyu.job.Durations.MAX) > 0 ? dev.kyu.job.Durations.MAX : retryAfter;
    }

    public Duration retryAfter() {
        return retryAfter;
    }

    /**
     * Reads an HTTP {@code Retry-After} value: delta-seconds ({@code 120}) or an HTTP date; {@code fallback}
     * when it is missing or unreadable.
     */
    public static Duration parseRetryAfter(String header, java.time.Clock clock, Duration fallback) {
        if (header == null || header.isBlank()) return fallback;
        String v = header.trim();
        try {
            long s = Long.parseLong(v);
            return s < 0 ? fallback : Duration.ofSeconds(s);
        } catch (NumberFormatException notSeconds) {
            try {
                var at = java.time.ZonedDateTime.parse(v, java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME)
                        .toInstant();
                Duration d = Duration.between(clock.instant(), at);
                return d.isNegative() ? Duration.ZERO : d;
            } catch (java.time.format.DateTimeParseException notADate) {
                return fallback;
            }
        }
    }
}
