package dev.kyu.job;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential back-off with full jitter and a cap: the delay before retry {@code n} (1-based) is a
 * uniformly random duration in {@code [0, min(cap, base * 2^(n-1))]}. Full jitter spreads the retries of
 * a burst of failures so that they do not hit a recovering service at the same instant.
 *
 * <p>Stored with the job as a compact spec, {@code "exp:1s:10m"}, or {@code "fixed:30s"} for a constant
 * delay without jitter.
 */
public record Backoff(Kind kind, Duration base, Duration cap) {
    public enum Kind {
        EXPONENTIAL,
        FIXED
    }

    public static final Backoff DEFAULT = exponential(Duration.ofSeconds(1), Duration.ofMinutes(10));

    public Backoff {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(cap, "cap");
        if (base.isNegative()) throw new IllegalArgumentException("back-off base must not be negative: " + base);
        if (cap.compareTo(base) < 0)
            throw new IllegalArgumentException("back-off cap " + cap + " is below its base " + base);
    }

    public static Backoff exponential(Duration base, Duration cap) {
        return new Backoff(Kind.EXPONENTIAL, base, cap);
    }

    public static Backoff fixed(Duration delay) {
        return new Backoff(Kind.FIXED, delay, delay);
    }

    /** The delay before the retry that follows failed attempt {@code attempt} (1-based). */
    public Duration delayAfter(int attempt) {
        if (kind == Kind.FIXED) return base;
        long baseMs = base.toMillis();
        int shift = Math.min(Math.max(attempt - 1, 0), 40);
        long ceiling = baseMs > (Long.MAX_VALUE >> shift) ? cap.toMillis() : Math.min(cap.toMillis(), baseMs << shift);
        return Duration.ofMillis(ThreadLocalRandom.current().nextLong(ceiling + 1));
    }

    public String toSpec() {
        return kind == Kind.FIXED
                ? "fixed:" + Durations.format(base)
                : "exp:" + Durations.format(base) + ":" + Durations.format(cap);
    }

    public static Backoff parse(String spec) {
        String[] p = spec.trim().split(":");
        if (p.length == 2 && p[0].equals("fixed")) return fixed(Durations.parse(p[1]));
        if (p.length == 3 && p[0].equals("exp")) return exponential(Durations.parse(p[1]), Durations.parse(p[2]));
        throw new IllegalArgumentException(
                "bad back-off '" + spec + "': expected exp:BASE:CAP (exp:1s:10m) or fixed:DELAY (fixed:30s)");
    }
}
