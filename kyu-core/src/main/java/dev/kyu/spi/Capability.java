package dev.kyu.spi;

/** What an engine can do beyond the verbs every engine has; tests and callers branch on these, never on engine names. */
public enum Capability {
    /** Judges time by the {@link java.time.Clock} it was given, so tests can move time by hand. */
    INJECTABLE_CLOCK,
    /** {@link EnqueueRequest#connection()} may carry the caller's own JDBC transaction. */
    TRANSACTIONAL_ENQUEUE,
    /**
     * {@link Broker#jobsComplete(java.util.List, java.sql.Connection)} records outcomes inside the caller's
     * own JDBC transaction: a task's writes and its job's outcome are one commit.
     */
    TRANSACTIONAL_COMPLETE,
    /** Several processes may share the store (everything but {@code memory:}). */
    SHARED_ACROSS_PROCESSES,
    /**
     * Keeps {@link dev.kyu.job.JobLinks}: BLOCKED jobs released atomically when their parents end, and retention
     * with another job. Workflows need it; an engine without it refuses a job with links in one line.
     */
    JOB_LINKS,
    /**
     * Serves {@link Broker#jobsFetch} with a blocking primitive of its own (Redis's blocking pop) instead of the
     * core's {@link BlockingFetch}: the same contract, one round trip fewer per idle wait.
     */
    NATIVE_BLOCKING_FETCH
}
