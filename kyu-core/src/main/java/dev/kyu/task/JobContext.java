package dev.kyu.task;

import dev.kyu.job.Progress;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * What a running task may know about its job, and what it may tell about itself. The job id is the
 * idempotency key for work that must not happen twice: a job may run more than once (at-least-once
 * delivery), always under the same id. The {@link #fencingToken()} tells those runs apart, so that a
 * write made by an attempt that has been replaced can be refused (docs/tasks.md).
 */
public final class JobContext {
    private static final Consumer<Progress> NO_PROGRESS = p -> {};

    private final String jobId;
    private final String task;
    private final String queue;
    private final int attempt;
    private final int maxAttempts;
    private final Instant enqueuedAt;
    private final Map<String, String> meta;
    private final String workerId;
    private final long fencingToken;
    private final Consumer<Progress> progressSink;
    /** The workflow this job is a step of, or null. */
    private final dev.kyu.workflow.WorkflowContext workflow;

    /** A context without a fencing token or a progress sink, for a task called directly (a unit test). */
    public JobContext(
            String jobId,
            String task,
            String queue,
            int attempt,
            int maxAttempts,
            Instant enqueuedAt,
            Map<String, String> meta,
            String workerId) {
        this(jobId, task, queue, attempt, maxAttempts, enqueuedAt, meta, workerId, 0, NO_PROGRESS);
    }

    /**
     * @param fencingToken the job's lease count at this attempt's fetch ({@link dev.kyu.job.Job#fence()})
     * @param progressSink where {@link #progress} goes; the worker stores it with its next heartbeat
     */
    public JobContext(
            String jobId,
            String task,
            String queue,
            int attempt,
            int maxAttempts,
            Instant enqueuedAt,
            Map<String, String> meta,
            String workerId,
            long fencingToken,
            Consumer<Progress> progressSink) {
        this(jobId, task, queue, attempt, maxAttempts, enqueuedAt, meta, workerId, fencingToken, progressSink, null);
    }

    /** As above, for a step of a workflow: {@link #workflow()} gives its parents' results. */
    public JobContext(
            String jobId,
            String task,
            String queue,
            int attempt,
            int maxAttempts,
            Instant enqueuedAt,
            Map<String, String> meta,
            String workerId,
            long fencingToken,
            Consumer<Progress> progressSink,
            dev.kyu.workflow.WorkflowContext workflow) {
        this.workflow = workflow;
        this.jobId = jobId;
        this.task = task;
        this.queue = queue;
        this.attempt = attempt;
        this.maxAttempts = maxAttempts;
        this.enqueuedAt = enqueuedAt;
        this.meta = meta == null ? Map.of() : meta;
        this.workerId = workerId;
        this.fencingToken = fencingToken;
        this.progressSink = Objects.requireNonNull(progressSink, "progressSink");
    }

    public String jobId() {
        return jobId;
    }

    public String task() {
        return task;
    }

    public String queue() {
        return queue;
    }

    public int attempt() {
        return attempt;
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    public Instant enqueuedAt() {
        return enqueuedAt;
    }

    public Map<String, String> meta() {
        return meta;
    }

    public String workerId() {
        return workerId;
    }

    /**
     * A number that rises with every lease of this job (every fetch: after a retry, a lease rescue or a
     * manual retry too) and never falls. Store it with each write the task makes elsewhere and refuse a
     * write whose token is lower than the stored one ({@link FencedUpdate}): an attempt that outlived its
     * lease then cannot overwrite the work of the attempt that replaced it.
     */
    public long fencingToken() {
        return fencingToken;
    }

    /** True when this job is a step (or the end job) of a workflow, so {@link #workflow()} answers. */
    public boolean inWorkflow() {
        return workflow != null;
    }

    /**
     * The workflow this job is a step of: its id, and its parents' results
     * ({@code ctx.workflow().result("reserve", Reservation.class)}).
     *
     * @throws IllegalStateException when the job is not a workflow step
     */
    public dev.kyu.workflow.WorkflowContext workflow() {
        if (workflow == null)
            throw new IllegalStateException("job " + jobId + " (" + task + ") is not a step of a workflow");
        return workflow;
    }

    public boolean isLastAttempt() {
        return attempt >= maxAttempts;
    }

    /**
     * Reports how far the job has come. Cheap to call as often as you like: the worker keeps only the
     * latest value and stores it with its next heartbeat (at most one write per job per heartbeat
     * interval), and the last value when the attempt ends. Throws {@link IllegalArgumentException} for a
     * fraction outside 0..1 or NaN; the job then goes on or fails as the task decides.
     *
     * @param fraction done so far, from 0 to 1
     * @param message  a short note for people ("resized 42 of 100"), or null; cut to {@link Progress#MAX_MESSAGE} characters
     */
    public void progress(double fraction, String message) {
        progressSink.accept(new Progress(fraction, message));
    }

    public void progress(double fraction) {
        progress(fraction, null);
    }

    /** Throws if the job was cancelled, timed out or is being handed back: long loops call this between steps. */
    public void checkInterrupted() throws InterruptedException {
        if (Thread.currentThread().isInterrupted()) throw new InterruptedException("job " + jobId + " was interrupted");
    }

    @Override
    public String toString() {
        return "JobContext[jobId=" + jobId + ", task=" + task + ", queue=" + queue + ", attempt=" + attempt + "/"
                + maxAttempts + ", fencingToken=" + fencingToken + ", workerId=" + workerId + "]";
    }
}
