package dev.kyu.job;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A stored job, as the broker holds it (docs/json.md). Immutable; build one with {@link #builder()} or
 * change a copy with {@link #toBuilder()}.
 *
 * @param id              UUIDv7, time-ordered
 * @param task            registered task name
 * @param queue           queue name
 * @param args            the arguments as raw JSON text, exactly as enqueued (kept even when it cannot be decoded)
 * @param priority        higher runs first within a queue
 * @param state           see {@link JobState}
 * @param attempt         attempts started so far (0 before the first fetch)
 * @param maxAttempts     attempts allowed in all (1 = no retry)
 * @param enqueuedAt      when enqueue was accepted
 * @param scheduledAt     when the job may run (due time)
 * @param startedAt       when the current or last attempt started, or null
 * @param finishedAt      when it reached a terminal state, or null
 * @param leaseExpiresAt  while RUNNING: when the lease lapses unless extended
 * @param workerId        while RUNNING: the worker holding the lease
 * @param result          the result as raw JSON text, or null
 * @param errors          errors of failed attempts, oldest first, bounded to {@link #MAX_ERRORS}
 * @param uniqueKey       optional idempotency key
 * @param timeout         optional run-time limit per attempt
 * @param backoff         optional back-off spec ({@link Backoff#toSpec()}), null = the task's default
 * @param meta            free string map: trace ids, tenant, workflow links
 * @param cancelRequested true when cancel was asked while RUNNING; the worker stops it at its next heartbeat
 * @param fence           leases taken so far: raised by one at every fetch and never lowered (not by a hand-back,
 *                        a rescue or a manual retry, which reset or give back {@code attempt}); a task reads it as
 *                        its fencing token (docs/tasks.md)
 * @param progress        the last progress a running attempt reported, or null; kept after the job ends
 * @param resultTtl       how long the job is kept once it ends, in place of the prune's global retention; null = the global one
 * @param links           what it waits for, whom it releases when it ends, whom it is kept with ({@link JobLinks}); never null
 */
public record Job(
        String id,
        String task,
        String queue,
        String args,
        int priority,
        JobState state,
        int attempt,
        int maxAttempts,
        Instant enqueuedAt,
        Instant scheduledAt,
        Instant startedAt,
        Instant finishedAt,
        Instant leaseExpiresAt,
        String workerId,
        String result,
        List<JobError> errors,
        String uniqueKey,
        Duration timeout,
        String backoff,
        Map<String, String> meta,
        boolean cancelRequested,
        long fence,
        Progress progress,
        Duration resultTtl,
        JobLinks links) {

    /** A job without links to other jobs, for engines that build one positionally. */
    public Job(
            String id,
            String task,
            String queue,
            String args,
            int priority,
            JobState state,
            int attempt,
            int maxAttempts,
            Instant enqueuedAt,
            Instant scheduledAt,
            Instant startedAt,
            Instant finishedAt,
            Instant leaseExpiresAt,
            String workerId,
            String result,
            List<JobError> errors,
            String uniqueKey,
            Duration timeout,
            String backoff,
            Map<String, String> meta,
            boolean cancelRequested,
            long fence,
            Progress progress,
            Duration resultTtl) {
        this(
                id,
                task,
                queue,
                args,
                priority,
                state,
                attempt,
                maxAttempts,
                enqueuedAt,
                scheduledAt,
                startedAt,
                finishedAt,
                leaseExpiresAt,
                workerId,
                result,
                errors,
                uniqueKey,
                timeout,
                backoff,
                meta,
                cancelRequested,
                fence,
                progress,
                resultTtl,
                JobLinks.NONE);
    }

    /** How many attempts' errors a job keeps; older ones are dropped first. */
    public static final int MAX_ERRORS = 20;

    public Job {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(state, "state");
        errors = errors == null ? List.of() : List.copyOf(errors);
        meta = meta == null ? Map.of() : Map.copyOf(meta);
        if (links == null) links = JobLinks.NONE;
    }

    /** The lease this job is held under; only meaningful while RUNNING (a waiting job has no worker id). */
    public Lease lease() {
        return new Lease(id, queue, workerId, attempt);
    }

    /** The newest error in {@link #errors()}, whatever the state (a job that later succeeded keeps it), or null. */
    public JobError lastError() {
        return errors.isEmpty() ? null : errors.get(errors.size() - 1);
    }

    /**
     * The error the job stands on, as {@code error} in docs/json.md: the last failed attempt's, while the
     * job waits for its retry, runs again, or ended FAILED or CANCELLED; null once it SUCCEEDED (as Celery
     * and RQ show no traceback for a task that succeeded on a retry). The history stays in {@link #errors()}.
     */
    public JobError error() {
        return state == JobState.SUCCEEDED ? null : lastError();
    }

    /** Appends an error, keeping the newest {@link #MAX_ERRORS}. Engines use it when recording a failure. */
    public static List<JobError> appendError(List<JobError> errors, JobError error) {
        var out = new java.util.ArrayList<>(errors == null ? List.<JobError>of() : errors);
        out.add(error);
        while (out.size() > MAX_ERRORS) out.remove(0);
        return out;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        var b = new Builder();
        b.id = id;
        b.task = task;
        b.queue = queue;
        b.args = args;
        b.priority = priority;
        b.state = state;
        b.attempt = attempt;
        b.maxAttempts = maxAttempts;
        b.enqueuedAt = enqueuedAt;
        b.scheduledAt = scheduledAt;
        b.startedAt = startedAt;
        b.finishedAt = finishedAt;
        b.leaseExpiresAt = leaseExpiresAt;
        b.workerId = workerId;
        b.result = result;
        b.errors = errors;
        b.uniqueKey = uniqueKey;
        b.timeout = timeout;
        b.backoff = backoff;
        b.meta = meta;
        b.cancelRequested = cancelRequested;
        b.fence = fence;
        b.progress = progress;
        b.resultTtl = resultTtl;
        b.links = links;
        return b;
    }

    public static final class Builder {
        private String id, task, queue = "default", args = "null", workerId, result, uniqueKey, backoff;
        private int priority, attempt, maxAttempts = 1;
        private JobState state = JobState.QUEUED;
        private Instant enqueuedAt, scheduledAt, startedAt, finishedAt, leaseExpiresAt;
        private List<JobError> errors = List.of();
        private Duration timeout, resultTtl;
        private Map<String, String> meta = Map.of();
        private boolean cancelRequested;
        private long fence;
        private Progress progress;
        private JobLinks links = JobLinks.NONE;

        private Builder() {}

        public Builder id(String v) {
            id = v;
            return this;
        }

        public Builder task(String v) {
            task = v;
            return this;
        }

        public Builder queue(String v) {
            queue = v;
            return this;
        }

        public Builder args(String v) {
            args = v;
            return this;
        }

        public Builder priority(int v) {
            priority = v;
            return this;
        }

        public Builder state(JobState v) {
            state = v;
            return this;
        }

        public Builder attempt(int v) {
            attempt = v;
            return this;
        }

        public Builder maxAttempts(int v) {
            maxAttempts = v;
            return this;
        }

        public Builder enqueuedAt(Instant v) {
            enqueuedAt = v;
            return this;
        }

        public Builder scheduledAt(Instant v) {
            scheduledAt = v;
            return this;
        }

        public Builder startedAt(Instant v) {
            startedAt = v;
            return this;
        }

        public Builder finishedAt(Instant v) {
            finishedAt = v;
            return this;
        }

        public Builder leaseExpiresAt(Instant v) {
            leaseExpiresAt = v;
            return this;
        }

        public Builder workerId(String v) {
            workerId = v;
            return this;
        }

        public Builder result(String v) {
            result = v;
            return this;
        }

        public Builder errors(List<JobError> v) {
            errors = v;
            return this;
        }

        public Builder uniqueKey(String v) {
            uniqueKey = v;
            return this;
        }

        public Builder timeout(Duration v) {
            timeout = v;
            return this;
        }

        public Builder backoff(String v) {
            backoff = v;
            return this;
        }

        public Builder meta(Map<String, String> v) {
            meta = v;
            return this;
        }

        public Builder cancelRequested(boolean v) {
            cancelRequested = v;
            return this;
        }

        public Builder fence(long v) {
            fence = v;
            return this;
        }

        public Builder progress(Progress v) {
            progress = v;
            return this;
        }

        public Builder resultTtl(Duration v) {
            resultTtl = v;
            return this;
        }

        public Builder links(JobLinks v) {
            links = v;
            return this;
        }

        public Job build() {
            return new Job(
                    id,
                    task,
                    queue,
                    args,
                    priority,
                    state,
                    attempt,
                    maxAttempts,
                    enqueuedAt,
                    scheduledAt,
                    startedAt,
                    finishedAt,
                    leaseExpiresAt,
                    workerId,
                    result,
                    errors,
                    uniqueKey,
                    timeout,
                    backoff,
                    meta,
                    cancelRequested,
                    fence,
                    progress,
                    resultTtl,
                    links);
        }
    }
}
