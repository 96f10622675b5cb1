package dev.kyu.broker.postgres;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The queues this process's fetchers are fetching from right now, counted per queue. Every NOTIFY on the
 * schema's channel names the queue that has new work; the listener wakes the fetchers only when one of
 * them fetches that queue, so jobs of other queues (and other processes' queues) cost an idle fetcher no
 * wake-up and no round trips, and cannot hold it in a useless fetch just when its own job arrives.
 *
 * <p>A fetcher registers before its first claim: a job committed before that claim's snapshot is found by
 * the claim, and the NOTIFY of a job committed after it arrives after the registration.
 */
final class WaitingQueues {
    private final ConcurrentHashMap<String, Integer> fetchers = new ConcurrentHashMap<>();

    void add(Collection<String> queues) {
        for (String q : queues) fetchers.merge(q, 1, Integer::sum);
    }

    void remove(Collection<String> queues) {
        for (String q : queues) fetchers.computeIfPresent(q, (k, n) -> n == 1 ? null : n - 1);
    }

    /** True when a NOTIFY with this payload concerns a fetcher here; a payload that names no queue wakes everyone. */
    boolean wants(String payload) {
        return payload == null || payload.isEmpty() || fetchers.containsKey(payload);
    }
}
