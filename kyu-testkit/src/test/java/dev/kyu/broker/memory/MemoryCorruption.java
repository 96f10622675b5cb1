package dev.kyu.broker.memory;

import dev.kyu.job.Job;
import dev.kyu.job.JobIds;
import dev.kyu.job.JobState;
import dev.kyu.testkit.RawJob;

/**
 * Plants entries the memory engine would never store itself, the way a foreign or broken writer might,
 * for the conformance suite's corrupt-job cases. Lives in the engine's package to reach its package-private
 * parts, which keeps them out of the public API.
 */
public final class MemoryCorruption {
    private MemoryCorruption() {}

    /** Files an entry the engine cannot decode at all, waiting in {@code queue} like a QUEUED job. */
    public static String insert(MemoryBroker broker, String queue) {
        MemoryStore store = broker.store();
        String id = JobIds.next();
        store.lock.lock();
        try {
            store.insert(id, queue, null, "\u0001\u0002garbage{{{", null);
            store.wakeFetchers();
        } finally {
            store.lock.unlock();
        }
        return id;
    }

    /**
     * Files {@code raw} in the store as it is, past every check of enqueue. Null when the store cannot hold
     * it: its indexes sort by time, so a job without times cannot be filed at all.
     */
    public static String plant(MemoryBroker broker, RawJob raw) {
        if (raw.enqueuedAt() == null || raw.scheduledAt() == null) return null;
        MemoryStore store = broker.store();
        Job job = Job.builder()
                .id(raw.id())
                .task(raw.task())
                .queue(raw.queue())
                .args(raw.args())
                .state(JobState.valueOf(raw.state()))
                .attempt((int) raw.attempt())
                .maxAttempts((int) raw.maxAttempts())
                .enqueuedAt(raw.enqueuedAt())
                .scheduledAt(raw.scheduledAt())
                .build();
        store.lock.lock();
        try {
            store.insert(raw.id(), raw.queue(), job, null, null);
            store.wakeFetchers();
        } finally {
            store.lock.unlock();
        }
        return raw.id();
    }
}
