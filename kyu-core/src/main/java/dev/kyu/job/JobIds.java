package dev.kyu.job;

import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * UUIDv7 job ids (RFC 9562): 48 bits of Unix milliseconds, then a counter and randomness, so ids sort by
 * creation time and stay unique and increasing within one process even inside one millisecond.
 *
 * <p>The millisecond and the 12-bit counter live together in one atomic word and move forward by
 * compare-and-set: producers on many threads never queue behind a lock, and every id is still greater
 * than every id handed out before it in this JVM.
 */
public final class JobIds {
    private static final int SEQ_BITS = 12; // rand_a
    private static final long SEQ_MAX = (1L << SEQ_BITS) - 1;
    /** (millis << 12) | counter of the last id handed out. */
    private static final AtomicLong LAST = new AtomicLong();

    private JobIds() {}

    public static String next() {
        return next(Clock.systemUTC());
    }

    public static String next(Clock clock) {
        long now = clock.millis();
        long next;
        while (true) {
            long last = LAST.get();
            long lastMillis = last >>> SEQ_BITS;
            if (now > lastMillis) {
                // A new millisecond starts its counter at a random point low in the range, leaving room to count.
                next = (now << SEQ_BITS) | ThreadLocalRandom.current().nextInt(0x100);
            } else if ((last & SEQ_MAX) < SEQ_MAX) {
                next = last + 1;
            } else { // counter spent (or the clock went back): borrow the next millisecond
                next = ((lastMillis + 1) << SEQ_BITS) | ThreadLocalRandom.current().nextInt(0x100);
            }
            if (LAST.compareAndSet(last, next)) break;
        }
        long msb = ((next >>> SEQ_BITS) << 16) | 0x7000L | (next & SEQ_MAX);
        // Ids name jobs, they do not guard them: a fast non-cryptographic source is enough for the random bits.
        long lsb = (ThreadLocalRandom.current().nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }

    /**
     * The id as stored: a UUID in lower case, as Kyu writes them (a user may paste one in capitals); any
     * other text unchanged.
     */
    public static String normalize(String id) {
        return isValid(id) ? id.toLowerCase(java.util.Locale.ROOT) : id;
    }

    /** True when the text is a well-formed UUID (the only shape of id Kyu hands out). */
    public static boolean isValid(String id) {
        if (id == null || id.length() != 36) return false;
        try {
            UUID.fromString(id);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
