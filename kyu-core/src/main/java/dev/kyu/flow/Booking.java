package dev.kyu.flow;

import java.time.Instant;

/**
 * A job a limit held back, kept under {@code kyu.flow.booking/JOBID/LIMIT} as {@code SLOT_EPOCH_NANOS,TRIES}:
 * for a rate, the slot it was given (it starts then without taking another); for a concurrency, when it may
 * try again and how often it was denied (its delay grows with that count). Deleted when the job is admitted.
 */
record Booking(long slot, int tries) {
    static final String PREFIX = "kyu.flow.booking/";

    static String key(String jobId, String limit) {
        return PREFIX + jobId + "/" + limit;
    }

    String encode() {
        return slot + "," + tries;
    }

    static Booking decode(String s) {
        int c = s.indexOf(',');
        return new Booking(Long.parseLong(s.substring(0, c)), Integer.parseInt(s.substring(c + 1)));
    }

    Instant slotInstant() {
        return Instant.ofEpochSecond(0, slot);
    }
}
