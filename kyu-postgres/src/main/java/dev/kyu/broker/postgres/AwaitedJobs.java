package dev.kyu.broker.postgres;

import dev.kyu.spi.WakeSignal;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The jobs this process's callers are awaiting right now, counted per id, and the signal that wakes them.
 * The LISTEN connection hands on each {@code ended <id>} notification; only one naming a job awaited here
 * wakes anyone, and each awaiter then re-reads its own job, so an end elsewhere costs no round trip.
 */
final class AwaitedJobs {
    /** The payload prefix of an end: a queue name cannot contain a space, so fetchers never take it for one. */
    static final String PREFIX = "ended ";

    private final ConcurrentHashMap<String, Integer> ids = new ConcurrentHashMap<>();
    private final WakeSignal signal = new WakeSignal();

    void add(String id) {
        ids.merge(key(id), 1, Integer::sum);
    }

    void remove(String id) {
        ids.computeIfPresent(key(id), (k, n) -> n == 1 ? null : n - 1);
    }

    /** Takes a notification's payload; true when it was an end (awaited here or not), so not a queue name. */
    boolean offer(String payload) {
        if (payload == null || !payload.startsWith(PREFIX)) return false;
        if (ids.containsKey(key(payload.substring(PREFIX.length())))) signal.wake();
        return true;
    }

    /** Wakes every awaiter: the LISTEN connection came up or went down, and ends meanwhile may be missed. */
    void wakeAll() {
        signal.wake();
    }

    WakeSignal signal() {
        return signal;
    }

    void close() {
        signal.close();
    }

    private static String key(String id) {
        return id.toLowerCase(java.util.Locale.ROOT);
    }
}
