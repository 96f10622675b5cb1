package dev.kyu.job;

import dev.kyu.KyuException;
import dev.kyu.codec.Printable;
import java.time.Duration;

/**
 * Debounce or throttle of a task's jobs by a key: many enqueues of one key become one job that carries the
 * last args given. Set per enqueue with {@link JobOptions.Builder#debounce} or {@link JobOptions.Builder#throttle};
 * the client keeps it above the broker, so every engine has it (docs/flow-control.md).
 */
public sealed interface KeyedFlow permits KeyedFlow.Debounce, KeyedFlow.Throttle {
    /** Longest key accepted: it is stored inside a unique key with the task's name. */
    int MAX_KEY = 500;

    /** The key that calls share. */
    String key();

    /**
     * Run after {@code quiet} with no new call of the key, but at most {@code max} after the first call of the burst;
     * each call replaces the waiting job's args with its own.
     */
    record Debounce(String key, Duration quiet, Duration max) implements KeyedFlow {
        public Debounce {
            checkKey("debounce", key);
            positive("debounce", "quiet", quiet);
            positive("debounce", "max", max);
            if (max.compareTo(quiet) < 0) {
                throw new KyuException.InvalidInput("debounce max (" + Durations.format(max)
                        + ") must not be shorter than its quiet (" + Durations.format(quiet) + ")");
            }
        }
    }

    /**
     * At most one run of the key per {@code every}: the first call of a quiet key runs at once (leading); calls
     * during the window make one job due at its end that carries the last args given (trailing).
     */
    record Throttle(String key, Duration every) implements KeyedFlow {
        public Throttle {
            checkKey("throttle", key);
            positive("throttle", "every", every);
        }
    }

    private static void checkKey(String form, String key) {
        if (key == null || key.isBlank()) throw new KyuException.InvalidInput(form + " key must not be blank");
        if (key.length() > MAX_KEY) {
            throw new KyuException.InvalidInput(form + " key is " + key.length() + " characters, over " + MAX_KEY);
        }
        if (Printable.hasLoneSurrogate(key)) {
            throw new KyuException.InvalidInput(
                    form + " key " + Printable.quoted(key) + " holds a lone UTF-16 surrogate, which cannot be stored");
        }
    }

    private static void positive(String form, String what, Duration d) {
        if (d == null) throw new KyuException.InvalidInput(form + " " + what + " must be set");
        // Engines keep times to the millisecond: less would be no time at all.
        if (d.toMillis() < 1) {
            throw new KyuException.InvalidInput(form + " " + what + " must be at least 1ms, was "
                    + (d.isNegative() ? "negative" : Durations.format(d)));
        }
        if (d.compareTo(Durations.MAX) > 0) {
            throw new KyuException.InvalidInput(
                    form + " " + what + " must be at most 100 years, was " + Durations.format(d));
        }
    }
}
