package dev.kyu.bench.subject;

import dev.kyu.bench.proc.WorkerHandle;
import java.util.List;

/**
 * A job system under measurement: Kyu on one broker, or a system Kyu is compared with. The figures are
 * written against this interface only, so every system is timed by the same code. "Queue" is whatever
 * keeps one run's jobs apart from another's (a Kyu queue, a task name).
 */
public interface Subject extends AutoCloseable {
    /** The name figures are reported under (a redacted broker URL, or e.g. {@code jobrunr postgresql}). */
    String label();

    /** How this subject runs where that differs from the usual (e.g. one JVM), or null. */
    String note();

    /** Stores one no-op job, synchronously, in one call. */
    void enqueueOne(String queue);

    /** Stores {@code n} no-op jobs in one call (one round trip where the system allows). */
    void enqueueBatch(String queue, int n);

    /** Makes jobs of the queue wait (stored but not runnable) until {@link #release}. */
    void hold(String queue);

    /** Lets the queue's held jobs run; the drain clock starts just before this call. */
    void release(String queue);

    /**
     * Starts workers on the queue, idle and ready when this returns. {@code timed}: the run will read
     * {@link #times}; systems that keep no start time record one only then, so drains pay nothing for it.
     */
    WorkerHandle startWorkers(String queue, int concurrency, boolean timed);

    /** How many of the queue's jobs have finished: succeeded and failed. */
    Progress progress(String queue);

    /** Checks, once a run is timed, that the queue really has {@code n} finished jobs; throws when not. */
    default void confirmFinished(String queue, long n) {}

    /** Enqueue and start times of the queue's finished jobs, judged by the system's own clock. */
    List<JobTimes> times(String queue);

    /** Deletes what the queue's runs left behind, outside any timing. */
    void cleanup(String queue);

    /** Pids of the broker server's processes on this machine, for CPU accounting; empty when in-process. */
    List<Long> serverPids();

    @Override
    void close();

    /** Finished jobs of a queue. */
    record Progress(long succeeded, long failed) {
        public long finished() {
            return succeeded + failed;
        }
    }

    /**
     * One job's enqueue time and (last attempt's) start, in microseconds since the epoch: {@code startedMicros}
     * when its task body began, {@code leasedMicros} when the broker leased it to a worker (-1 when the system
     * keeps no such stamp).
     */
    record JobTimes(long enqueuedMicros, long leasedMicros, long startedMicros) {
        public static JobTimes unleased(long enqueuedMicros, long startedMicros) {
            return new JobTimes(enqueuedMicros, -1, startedMicros);
        }

        public double latencyMs() {
            return (startedMicros - enqueuedMicros) / 1000.0;
        }

        public boolean leased() {
            return leasedMicros >= 0;
        }

        /** Enqueue to lease: the broker's share of the latency. */
        public double leaseMs() {
            return (leasedMicros - enqueuedMicros) / 1000.0;
        }
    }
}
