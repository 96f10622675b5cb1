package dev.kyu.flow;

import dev.kyu.KyuException;
import dev.kyu.codec.Printable;
import dev.kyu.task.Task;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A flow limit, held across every worker of every machine: either a rate (at most {@code permits} jobs started
 * per {@code period}, with a burst of {@code burst} at once — a generic cell rate, so "100 per second" spreads
 * over the second instead of starting 100 at its top) or a concurrency (at most {@code max} jobs of it running
 * at once). It applies to the jobs of one task or of one queue; with a {@link KeySource} it applies to each key
 * on its own ("10 per minute per customer"), without one to all of them together.
 *
 * <p>A limit is enforced when a job is fetched: a job over its limit goes back to wait, without spending an
 * attempt, until the limit lets it start, and never holds up jobs of other keys or queues.
 *
 * @param name     1–100 of {@code a-z A-Z 0-9 _ . : -}; names the limit in the CLI, the dashboard and metrics
 * @param target   what it applies to
 * @param permits  RATE: jobs per period (at least 1); CONCURRENCY: jobs running at once (at least 1)
 * @param period   RATE: the period ({@code permits} per it; at least 1 ms); CONCURRENCY: null
 * @param burst    RATE: how many may start at once after a quiet spell (1..permits·1000; defaults to 1, a
 *                 steady spread); CONCURRENCY: 0
 * @param key      how a job's key is computed; null for one limit shared by every job it applies to
 */
public record Limit(String name, Target target, Kind kind, long permits, Duration period, long burst, KeySource key) {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_.:-]{1,100}");

    public enum Kind {
        RATE,
        CONCURRENCY
    }

    /** The jobs a limit applies to: those of one task, or those of one queue. */
    public record Target(Scope scope, String name) {
        public enum Scope {
            TASK,
            QUEUE
        }

        public Target {
            Objects.requireNonNull(scope, "scope");
            if (!Task.isValidName(name)) {
                throw new KyuException.InvalidInput(
                        "limit target: " + scope.name().toLowerCase(java.util.Locale.ROOT) + " name "
                                + Printable.quoted(name) + " is not valid (1-200 of a-z A-Z 0-9 _ . : -)");
            }
        }

        public static Target task(String task) {
            return new Target(Scope.TASK, task);
        }

        public static Target queue(String queue) {
            return new Target(Scope.QUEUE, queue);
        }

        @Override
        public String toString() {
            return scope.name().toLowerCase(java.util.Locale.ROOT) + " " + name;
        }
    }

    public Limit {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new KyuException.InvalidInput(
                    "limit name " + Printable.quoted(name) + " is not valid (1-100 of a-z A-Z 0-9 _ . : -)");
        }
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(kind, "kind");
        String what = "limit " + name + ": ";
        if (permits < 1) {
            throw new KyuException.InvalidInput(
                    what + (kind == Kind.RATE ? "a rate" : "a concurrency") + " must be at least 1, was " + permits);
        }
        if (kind == Kind.RATE) {
            if (period == null || period.toMillis() < 1)
                throw new KyuException.InvalidInput(what + "a rate's period must be at least 1 ms, was " + period);
            if (period.compareTo(Duration.ofDays(366)) > 0)
                throw new KyuException.InvalidInput(what + "a rate's period must be at most 366 days, was " + period);
            if (burst == 0) burst = 1;
            // saturated: permits near Long.MAX_VALUE must not wrap the bound below 1 and refuse every burst
            long maxBurst = permits > Long.MAX_VALUE / 1000 ? Long.MAX_VALUE : permits * 1000;
            if (burst < 1 || burst > maxBurst)
                throw new KyuException.InvalidInput(what + "burst must be 1.." + maxBurst + ", was " + burst);
        } else {
            if (period != null) throw new KyuException.InvalidInput(what + "a concurrency limit has no period");
            burst = 0;
        }
    }

    /** The time between two starts at the steady rate: {@code period / permits}, at least one nanosecond. */
    public Duration interval() {
        return kind == Kind.RATE ? Duration.ofNanos(Math.max(1, period.toNanos() / permits)) : Duration.ZERO;
    }

    public boolean keyed() {
        return key != null;
    }

    /** A rate limit: {@code permits} per {@code period}, e.g. {@code Limit.rate("payments", Target.task("shop.charge"), 100, Duration.ofSeconds(1))}. */
    public static Limit rate(String name, Target target, long permits, Duration period) {
        return new Limit(name, target, Kind.RATE, permits, period, 1, null);
    }

    /** A concurrency limit: at most {@code max} running at once. */
    public static Limit concurrency(String name, Target target, long max) {
        return new Limit(name, target, Kind.CONCURRENCY, max, null, 0, null);
    }

    public Limit withBurst(long b) {
        return new Limit(name, target, kind, permits, period, b, key);
    }

    public Limit perKey(KeySource k) {
        return new Limit(name, target, kind, permits, period, burst, Objects.requireNonNull(k, "key"));
    }

    /** A one-line description, e.g. {@code payments: task shop.charge, 100 per PT1S (burst 1)}. */
    public String describe() {
        String rule = kind == Kind.RATE
                ? permits + " per " + period + " (burst " + burst + ")"
                : "at most " + permits + " running";
        return name + ": " + target + ", " + rule + (key == null ? "" : ", per key " + key);
    }
}
