package dev.kyu.job;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;

/**
 * UUIDv7 job ids (RFC 9562): 48 bits of Unix milliseconds, then a counter and randomness, so ids sort by
 * creation time and stay unique and increasing within one process even inside one millisecond.
 */
public final class JobIds {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static long lastMillis;
    private static long sequence; // 12 bits in rand_a

    private JobIds() {}

    public static String next() {
        return next(Clock.systemUTC());
    }

    public static String next(Clock clock) {
        long millis;
        long seq;
        LOCK.lock();
        try {
            millis = Math.max(clock.millis(), lastMillis);
            if (millis == lastMillis) {
                sequence++;
                if (sequence > 0xFFF) { // counter spent: borrow the next millisecond
                    millis++;
                    sequence = RANDOM.nextInt(0x100);
                }
            } else {
                sequence = RANDOM.nextInt(0x100);
            }
            lastMillis = millis;
            seq = sequence;
        } finally {
            LOCK.unlock();
        }
        long msb = (millis << 16) | 0x7000L | seq;
        // Ids name jobs, they do not guard them: a fast non-cryptographic source is enough for the random bits.
        long lsb = (java.util.concurrent.ThreadLocalRandom.current().nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
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
