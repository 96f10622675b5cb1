package dev.kyu.broker.memory;

import dev.kyu.job.JobIds;
import java.time.Clock;

/**
 * Plants entries the memory engine cannot decode, the memory twin of a garbage row in a database: such an
 * entry waits in its queue like a QUEUED job, and fetch, queries and maintenance must quarantine it.
 */
final class RawEntries {
    private RawEntries() {}

    /** Stores {@code raw} as an undecodable entry of {@code queue}; returns its id. */
    static String plant(MemoryBroker broker, Clock clock, String queue, String raw) {
        MemoryStore store = broker.store();
        String id = JobIds.next(clock);
        store.lock.lock();
        try {
            store.insert(id, queue, null, raw, null);
            store.wakeFetchers();
        } finally {
            store.lock.unlock();
        }
        return id;
    }
}
