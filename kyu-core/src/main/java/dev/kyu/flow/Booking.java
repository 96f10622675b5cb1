package dev.kyu.flow;

import java.time.Instant;

/**
 * A job a limit held back, kept under {@code kyu.flow.booking/JOBID/LIMIT} as {@code SLOT_EPOCH_NANOS,TRIES,RULE}:
 * for a rate, the slot it was given (it starts then without taking another); for a concurrency, when it may
 * try again and how often it was denied (its delay grows with that count). {@code rule} is the limit's rule when
 * it was booked: a slot booked under a rule since changed is void, and the job takes a start under the new one.
 * Deleted when the job is admitted.
 */
record Booking(long slot, int tries, String rule) {
    static final String PREFIX = "kyu.flow.booking/";

    static String key(String jobId, String limit) {
        return PREFIX + jobId + "/" + limit;
    }

    String encode() {
        return slot + "," + tries + "," + rule;
    }

    static Booking decode(String s) {
        String[] p = s.split(",", 3);
        return new Booking(Long.parseLong(p[0]), Integer.parseInt(p[1]), p.length > 2 ? p[2] : "");
    }

    /** A rate's rule as it shapes slots: its interval and burst. */
    static String rule(Limit l) {
        return l.kind() == Limit.Kind.RATE ? l.interval().toNanos() + "x" + l.burst() : "c" + l.permits();
    }

    Instant slotInstant() {
        return Instant.ofEpochSecond(0, slot);
    }
}
