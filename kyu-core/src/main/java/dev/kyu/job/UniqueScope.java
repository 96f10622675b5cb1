package dev.kyu.job;

/** How long a job's unique key keeps a second enqueue of the same key from creating a new job. */
public enum UniqueScope {
    /** While a job with the key is SCHEDULED or QUEUED. */
    QUEUED,
    /** While a job with the key is SCHEDULED, QUEUED or RUNNING. */
    ACTIVE,
    /** For {@code uniquePeriod} from the first job's enqueue, whatever its state (periodic ticks use this). */
    PERIOD
}
