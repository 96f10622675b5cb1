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
                next = ((lastMillis + 1) << SEQ_BITS)
                        | ThreadLocalRandom.current().nextInt(0x100);
            }
            if (LAST.compareAndSet(last, next)) break;
        }
        long msb = ((next >>> SEQ_BITS) << 16) | 0x7000L | (next & SEQ_MAX);
        // Ids name jobs, they do not guard them: a fast non-cryptographic source is enough for the random bits.
        long lsb = (ThreadLocalRandom.current().nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }

    /**
     * True when the text is a UUID in its standard 8-4-4-4-12 form, in either case (the only shape of id
     * Kyu hands out). Checked by hand rather than by parsing: the PostgreSQL engine checks every id of a
     * batch before it casts them, and a parse allocates a UUID per id.
     */
    public static boolean isValid(String id) {
        if (id == null || id.length() != 36) return false;
        for (int i = 0; i < 36; i++) {
            char c = id.charAt(i);
            if (i == 8 || i == 13 || i == 18 || i == 23) {
                if (c != '-') return false;
            } else if (hex(c) < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * The id as stored: a UUID in lower case, as Kyu writes them (a user may paste one in capitals). Text that
     * is no UUID is an {@link dev.kyu.KyuException.InvalidInput} naming it: no job can have such an id, so it
     * is bad input, not a missing job.
     */
    public static String parse(String id) {
        if (!isValid(id)) {
            String shown = id == null ? "null" : id.length() > 60 ? id.substring(0, 60) + "…" : id;
            throw new dev.kyu.KyuException.InvalidInput("bad job id '" + dev.kyu.codec.Printable.line(shown)
                    + "': expected a UUID such as 01890a5d-ac96-774b-bcce-b302099a8057");
        }
        return id.toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * The 16 bytes of a valid id (see {@link #isValid}), most significant first. One pass that checks as it
     * reads: the PostgreSQL engine calls it for every job of a batch it has just checked.
     */
    public static byte[] bytes(String id) {
        if (id == null || id.length() != 36) throw notAnId(id);
        byte[] out = new byte[16];
        int b = 0;
        for (int i = 0; i < 36; i += 2) {
            if (i == 8 || i == 13 || i == 18 || i == 23) {
                if (id.charAt(i) != '-') throw notAnId(id);
                i++;
            }
            int hi = hex(id.charAt(i)), lo = hex(id.charAt(i + 1));
            if (hi < 0 || lo < 0) throw notAnId(id);
            out[b++] = (byte) (hi << 4 | lo);
        }
        return out;
    }

    private static IllegalArgumentException notAnId(String id) {
        return new IllegalArgumentException("not a job id: " + id);
    }

    /** The value of an ASCII hex digit, or -1 (Character.digit would take other scripts' digits too). */
    private static int hex(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }
}
