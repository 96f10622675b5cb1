package dev.kyu.spi;

import java.util.Objects;

/**
 * One atomic step on the state of a cell-rate limit kept under {@code key} as {@code TAT,RULE} (the theoretical
 * arrival time in epoch nanoseconds, then the rule it was kept under): take between one and {@code count}
 * consecutive starts at {@code now}. Written as one step so that a start costs one round trip to the broker
 * whatever the number of keys; {@link #apply} is the arithmetic every engine must reproduce exactly.
 *
 * <p>The state's arrival time before the take is {@code tat0 = max(stored, now)}, where a value that is absent,
 * not {@code LONG,RULE} or kept under another rule counts as {@code now} (a changed limit starts afresh). Start
 * {@code k} is due at {@code max(now, tat0 + k·interval − tolerance)} with {@code tolerance = (burst − 1)·interval};
 * the first is always taken, each further one while it is due within {@code horizon} of now. The state becomes
 * {@code tat0 + taken·interval}. Every sum saturates at {@link Long#MAX_VALUE}.
 *
 * @param key      the key-value key of the state
 * @param rule     the limit's rule as the state records it: not blank, no comma
 * @param now      epoch nanoseconds by the caller's clock (so a test's clock drives it)
 * @param interval nanoseconds between starts at the steady rate, at least 1
 * @param burst    starts allowed at once after a quiet spell, at least 1
 * @param count    starts wanted, 1 to {@link #MAX_COUNT}
 * @param horizon  how far ahead (nanoseconds, at least 0) a start after the first may be due and still be taken
 */
public record RateTake(String key, String rule, long now, long interval, long burst, int count, long horizon) {
    public static final int MAX_COUNT = 1_000;

    public RateTake {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(rule, "rule");
        if (rule.isBlank() || rule.indexOf(',') >= 0)
            throw new IllegalArgumentException("a rate rule is not blank and has no comma, was '" + rule + "'");
        if (now < 0) throw new IllegalArgumentException("now must be epoch nanoseconds, was " + now);
        if (interval < 1) throw new IllegalArgumentException("interval must be at least 1 ns, was " + interval);
        if (burst < 1) throw new IllegalArgumentException("burst must be at least 1, was " + burst);
        if (count < 1 || count > MAX_COUNT)
            throw new IllegalArgumentException("count must be 1.." + MAX_COUNT + ", was " + count);
        if (horizon < 0) throw new IllegalArgumentException("horizon must be at least 0, was " + horizon);
    }

    /** What a take did: the arrival time before it and how many starts it took (at least one). */
    public record Taken(long tat0, int taken) {}

    /** {@code (burst − 1)·interval}, saturated. */
    public long tolerance() {
        return burst - 1 > Long.MAX_VALUE / interval ? Long.MAX_VALUE : (burst - 1) * interval;
    }

    /** When start {@code k} (0 for the first) of a take that began at {@code tat0} is due. */
    public long slot(long tat0, int k) {
        return Math.max(now, satSub(satAdd(tat0, satMul(k, interval)), tolerance()));
    }

    /** The value the state holds after {@code taken}. */
    public String value(Taken taken) {
        return satAdd(taken.tat0(), satMul(taken.taken(), interval)) + "," + rule;
    }

    /** The take on a state holding {@code stored} (null when absent): the reference every engine matches. */
    public Taken apply(String stored) {
        long tat0 = Math.max(now, storedTat(stored));
        int n = 1;
        while (n < count && slot(tat0, n) - now <= horizon) n++;
        return new Taken(tat0, n);
    }

    /** The arrival time a value holds under this rule; {@link Long#MIN_VALUE} when absent, unreadable or another rule's. */
    long storedTat(String stored) {
        if (stored == null) return Long.MIN_VALUE;
        int c = stored.indexOf(',');
        if (c < 0 || !stored.substring(c + 1).equals(rule)) return Long.MIN_VALUE;
        String n = stored.substring(0, c);
        // ASCII digits only (Long.parseLong would take other scripts' digits too), so every engine reads alike
        for (int i = n.startsWith("+") || n.startsWith("-") ? 1 : 0; i < n.length(); i++)
            if (n.charAt(i) < '0' || n.charAt(i) > '9') return Long.MIN_VALUE;
        try {
            return Long.parseLong(n);
        } catch (NumberFormatException e) {
            return Long.MIN_VALUE;
        }
    }

    private static long satAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? (a > 0 ? Long.MAX_VALUE : Long.MIN_VALUE) : r;
    }

    private static long satSub(long a, long b) {
        long r = a - b;
        return ((a ^ b) & (a ^ r)) < 0 ? (a > 0 ? Long.MAX_VALUE : Long.MIN_VALUE) : r;
    }

    private static long satMul(long k, long v) {
        return k != 0 && v > Long.MAX_VALUE / k ? Long.MAX_VALUE : k * v;
    }
}
