package dev.kyu.flow;

/**
 * The generic cell rate algorithm's vocabulary; the take itself is one atomic step on the broker
 * ({@link dev.kyu.spi.RateTake}, whose {@code apply} is the arithmetic).
 * The state of one (limit, key) is its theoretical arrival time {@code tat}: when the next start would be due
 * at the steady rate. A start at {@code now} is allowed when {@code tat - tolerance <= now}, where the
 * tolerance {@code (burst - 1) * interval} is what lets {@code burst} jobs start at once after a quiet spell.
 * Either way the start's time is booked: the state advances by one interval, so every caller — admitted now
 * or told to come back at its slot — owns a distinct slot, and waiting callers come back one at a time.
 */
public final class Gcra {
    private Gcra() {}

    /**
     * Gives back one start taken at {@code now} (another limit held the job back): the state moves back one
     * interval, never below {@code now}, so a refund can never grant more than the burst.
     */
    public static long refund(long storedTat, long now, long interval) {
        return Math.max(now, storedTat - interval);
    }
}
