package dev.kyu.testkit;

import dev.kyu.job.JobIds;
import java.time.Instant;

/**
 * A job as a foreign writer (a hand edit, another tool, a bad restore) might store it, bypassing every
 * check an enqueue makes: any id, names, args (null: none at all), attempt counts and times. An engine's
 * conformance fixture writes it straight into the engine's storage in the engine's own shape.
 * {@link Instant#MAX} stands for the largest time the storage can hold ({@code infinity} where a column
 * has one); a null time is a missing value.
 *
 * @param state the stored state's name, QUEUED or SCHEDULED (indexed as such, so the engine meets it)
 */
public record RawJob(
        String id,
        String task,
        String queue,
        String args,
        String state,
        long attempt,
        long maxAttempts,
        Instant enqueuedAt,
        Instant scheduledAt) {

    /** A sound QUEUED job of {@code queue} (task "t", args {}), to change one field of. */
    public static RawJob queued(String queue, Instant now) {
        return new RawJob(JobIds.next(), "t", queue, "{}", "QUEUED", 0, 1, now, now);
    }

    public RawJob withId(String v) {
        return new RawJob(v, task, queue, args, state, attempt, maxAttempts, enqueuedAt, scheduledAt);
    }

    public RawJob withTask(String v) {
        return new RawJob(id, v, queue, args, state, attempt, maxAttempts, enqueuedAt, scheduledAt);
    }

    public RawJob withArgs(String v) {
        return new RawJob(id, task, queue, v, state, attempt, maxAttempts, enqueuedAt, scheduledAt);
    }

    public RawJob withState(String v) {
        return new RawJob(id, task, queue, args, v, attempt, maxAttempts, enqueuedAt, scheduledAt);
    }

    public RawJob withAttempt(long v) {
        return new RawJob(id, task, queue, args, state, v, maxAttempts, enqueuedAt, scheduledAt);
    }

    public RawJob withMaxAttempts(long v) {
        return new RawJob(id, task, queue, args, state, attempt, v, enqueuedAt, scheduledAt);
    }

    public RawJob withEnqueuedAt(Instant v) {
        return new RawJob(id, task, queue, args, state, attempt, maxAttempts, v, scheduledAt);
    }

    public RawJob withScheduledAt(Instant v) {
        return new RawJob(id, task, queue, args, state, attempt, maxAttempts, enqueuedAt, v);
    }
}
