package dev.kyu.broker.redis;

import dev.kyu.spi.WakeSignal;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The jobs this process's callers are awaiting right now, counted per id, and the signal that wakes them.
 * The subscription hands on each id published on the ended channel; only one awaited here wakes anyone,
 * and each awaiter then re-reads its own job.
 */
final class RedisAwaitedJobs {
    private final ConcurrentHashMap<String, Integer> ids = new ConcurrentHashMap<>();
    private final WakeSignal signal = new WakeSignal();

    void add(String id) {
        ids.merge(id, 1, Integer::sum);
    }

    void remove(String id) {
        ids.computeIfPresent(id, (k, n) -> n == 1 ? null : n - 1);
    }

    /** An id published on the ended channel. */
    void ended(String id) {
        if (id != null && ids.containsKey(id)) signal.wake();
    }

    WakeSignal signal() {
        return signal;
    }

    void close() {
        signal.close();
    }
}
