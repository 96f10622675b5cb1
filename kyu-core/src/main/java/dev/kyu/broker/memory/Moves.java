package dev.kyu.broker.memory;

import dev.kyu.job.Job;
import dev.kyu.job.JobState;
import dev.kyu.spi.NewJob;
import java.time.Instant;
import java.util.List;

/**
 * The job versions every job passes through on the way from QUEUED to SUCCEEDED, made with one
 * allocation each: a {@link Job#toBuilder()} copy costs a second object and two copies of every field,
 * per job and per step. Rarer moves (retry, release, rescue, cancel) keep using the builder.
 */
final class Moves {
    private Moves() {}

    /** A new job as stored, due at {@code due}: SCHEDULED when that is later than now, else QUEUED. */
    static Job stored(NewJob j, Instant now, Instant due) {
        JobState state =
                j.links().waitsFor() > 0 ? JobState.BLOCKED : due.isAfter(now) ? JobState.SCHEDULED : JobState.QUEUED;
        return new Job(
                j.id(),
                j.task(),
                j.queue(),
                j.args(),
                j.priority(),
                state,
                0,
                j.maxAttempts(),
                now,
                state == JobState.BLOCKED ? now : due,
                null,
                null,
                null,
                null,
                null,
                List.of(),
                j.uniqueKey(),
                j.timeout(),
                j.backoff(),
                j.meta(),
                false,
                0,
                null,
                j.resultTtl(),
                j.links());
    }

    /** Leased to a worker for its next attempt. */
    static Job leased(Job j, String workerId, Instant now, Instant leaseEnd) {
        return new Job(
                j.id(),
                j.task(),
                j.queue(),
                j.args(),
                j.priority(),
                JobState.RUNNING,
                j.attempt() + 1,
                j.maxAttempts(),
                j.enqueuedAt(),
                j.scheduledAt(),
                now,
                j.finishedAt(),
                leaseEnd,
                workerId,
                j.result(),
                j.errors(),
                j.uniqueKey(),
                j.timeout(),
                j.backoff(),
                j.meta(),
                j.cancelRequested(),
                j.fence() + 1,
                j.progress(),
                j.resultTtl(),
                j.links());
    }

    /** The same lease, extended. */
    static Job extended(Job j, Instant until, dev.kyu.job.Progress progress) {
        return new Job(
                j.id(),
                j.task(),
                j.queue(),
                j.args(),
                j.priority(),
                j.state(),
                j.attempt(),
                j.maxAttempts(),
                j.enqueuedAt(),
                j.scheduledAt(),
                j.startedAt(),
                j.finishedAt(),
                until,
                j.workerId(),
                j.result(),
                j.errors(),
                j.uniqueKey(),
                j.timeout(),
                j.backoff(),
                j.meta(),
                j.cancelRequested(),
                j.fence(),
                progress == null ? j.progress() : progress,
                j.resultTtl(),
                j.links());
    }

    /** Finished with a result; the lease is gone. */
    static Job succeeded(Job j, String result, Instant now) {
        return new Job(
                j.id(),
                j.task(),
                j.queue(),
                j.args(),
                j.priority(),
                JobState.SUCCEEDED,
                j.attempt(),
                j.maxAttempts(),
                j.enqueuedAt(),
                j.scheduledAt(),
                j.startedAt(),
                now,
                null,
                j.workerId(),
                result,
                j.errors(),
                j.uniqueKey(),
                j.timeout(),
                j.backoff(),
                j.meta(),
                j.cancelRequested(),
                j.fence(),
                j.progress(),
                j.resultTtl(),
                j.links());
    }
}
