package dev.kyu.spi;

import dev.kyu.job.JobState;

/**
 * Filters for listing jobs; null means "any". {@code text} matches a substring of the id, task, args or
 * last error message (engines may limit it to the newest jobs). Results come newest first (by id).
 */
public record JobQuery(JobState state, String queue, String task, String text, int limit, int offset) {
    public JobQuery {
        if (limit < 1 || limit > 10_000) throw new IllegalArgumentException("limit must be 1..10000, was " + limit);
        if (offset < 0) throw new IllegalArgumentException("offset must not be negative, was " + offset);
    }

    public static JobQuery all(int limit) {
        return new JobQuery(null, null, null, null, limit, 0);
    }

    public JobQuery withState(JobState s) { return new JobQuery(s, queue, task, text, limit, offset); }
    public JobQuery withQueue(String q) { return new JobQuery(state, q, task, text, limit, offset); }
    public JobQuery withTask(String t) { return new JobQuery(state, queue, t, text, limit, offset); }
    public JobQuery withText(String t) { return new JobQuery(state, queue, task, t, limit, offset); }
    public JobQuery withOffset(int o) { return new JobQuery(state, queue, task, text, limit, o); }
}
