package dev.kyu.worker;

import java.time.Duration;

/**
 * One look at a worker: its slots and whether it can take work.
 *
 * @param workerId        the worker's id
 * @param concurrency     job slots (the most jobs running at once)
 * @param busy            jobs running now
 * @param prefetched      jobs leased by this worker that have not started yet
 * @param fetchErrors     fetches that failed since the worker started
 * @param running         started and not stopping
 * @param fetching        the last fetch reached the broker
 * @param sinceHeartbeat  time since the broker last took this worker's registry heartbeat; null before the first
 */
public record WorkerStatus(
        String workerId,
        int concurrency,
        int busy,
        int prefetched,
        long fetchErrors,
        boolean running,
        boolean fetching,
        Duration sinceHeartbeat) {

    /** Free slots: concurrency less the jobs running. */
    public int free() {
        return Math.max(0, concurrency - busy);
    }

    /** Ready for work: running and connected to the broker (its last fetch worked). */
    public boolean ready() {
        return running && fetching;
    }
}
