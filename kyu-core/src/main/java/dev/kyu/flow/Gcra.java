package dev.kyu.flow;

/**
 * The generic cell rate algorithm, as pure arithmetic on nanoseconds so it can be checked without a broker.
 * The state of one (limit, key) is its theoretical arrival time {@code tat}: when the next start would be due
 * at the steady rate. A start at {@code now} is allowed when {@code tat - tolerance <= now}, where the
 * tolerance {@code (burst - 1) * interval} is what lets {@code burst} jobs start at once after a quiet spell.
 * Either way the start's time is booked: the state advances by one interval, so every caller — admitted now
 * or told to come back at its slot — owns a distinct slot, and waiting callers come back one at a time.
 */
public final class Gcra {
    private Gcra() {}

    /**
     * @param slot when the caller may start: {@code now} when admitted at once, later when booked
     * @param tat  the state to store
     */
    public record Take(long slot, long tat, boolean now) {}

    /** Takes the next start at or after {@code now} for a limit of one start per {@code interval} with {@code burst}. */
    public static Take take(long storedTat, long now, long interval, long burst) {
        long tat = Math.max(storedTat, now);
        // Saturated: a burst of up to permits x 1000 over a period of up to 366 days exceeds a long of nanoseconds,
        // and a wrapped tolerance would turn "start at once" into a wait of centuries. With now >= 0, tat - tolerance
        // cannot wrap once tolerance is at most Long.MAX_VALUE.
        long tolerance = burst - 1 > Long.MAX_VALUE / Math.max(1, interval) ? Long.MAX_VALUE : (burst - 1) * interval;
        long slot = Math.max(now, tat - tolerance);
        return new Take(slot, tat > Long.MAX_VALUE - interval ? Long.MAX_VALUE : tat + interval, slot == now);
    }

    /**
     * Gives back one start taken at {@code now} (another limit held the job back): the state moves back one
     * interval, never below {@code now}, so a refund can never grant more than the burst.
     */
    public static long refund(long storedTat, long now, long interval) {
        return Math.max(now, storedTat - interval);
    }
}
