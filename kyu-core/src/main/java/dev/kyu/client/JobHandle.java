package dev.kyu.client;

import dev.kyu.KyuException;
import dev.kyu.codec.JsonCodec;
import dev.kyu.job.Job;
import dev.kyu.job.JobError;
import dev.kyu.job.JobState;
import dev.kyu.spi.Broker;
import dev.kyu.spi.CancelResult;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.List;

/**
 * A stored job, seen from the code that enqueued it: its id, its state, its result when it finishes.
 * Handles are cheap values; each call asks the broker afresh.
 */
public final class JobHandle<R> {
    private final String id;
    private final boolean created;
    private final Broker broker;
    private final JsonCodec codec;
    private final Type resultType;

    public JobHandle(String id, boolean created, Broker broker, JsonCodec codec, Type resultType) {
        this.id = id;
        this.created = created;
        this.broker = broker;
        this.codec = codec;
        this.resultType = resultType;
    }

    public String id() {
        return id;
    }

    /** False when a unique key matched a live job and this handle points at that job instead of a new one. */
    public boolean created() {
        return created;
    }

    public JobState status() {
        return job().state();
    }

    /** The job as stored now. */
    public Job job() {
        return broker.jobGet(id).orElseThrow(() -> new KyuException.JobNotFound(id));
    }

    /**
     * The progress the job's task last reported (stored with the worker's heartbeat, so up to one heartbeat
     * interval old while it runs, and final once it ended); empty when it reported none.
     */
    public java.util.Optional<dev.kyu.job.Progress> progress() {
        return java.util.Optional.ofNullable(job().progress());
    }

    /**
     * Waits for the job to finish and returns its result.
     *
     * @throws JobFailedException when it ended FAILED or CANCELLED (carrying its last error)
     * @throws KyuException       when it did not finish within the timeout, or no longer exists
     */
    public R await(Duration timeout) throws InterruptedException {
        Job job = awaitJob(timeout);
        return switch (job.state()) {
            case SUCCEEDED -> job.result() == null ? null : codec.<R>decode(job.result(), resultType);
            case FAILED, CANCELLED -> throw new JobFailedException(job);
            default -> throw new KyuException("job " + id + " is still " + job.state() + " after " + timeout);
        };
    }

    /** Waits for the job to finish (or the timeout) and returns it as it then is. */
    public Job awaitJob(Duration timeout) throws InterruptedException {
        return broker.jobAwait(id, timeout).orElseThrow(() -> new KyuException.JobNotFound(id));
    }

    /** Cancels the job: at once if it waits, at its worker's next heartbeat if it runs. */
    public CancelResult cancel() {
        return broker.jobsCancel(List.of(id)).get(0);
    }

    @Override
    public String toString() {
        return "JobHandle[" + id + "]";
    }

    /** A job that ended FAILED or CANCELLED. */
    public static final class JobFailedException extends KyuException {
        private final transient Job job;

        public JobFailedException(Job job) {
            super("job " + job.id() + " (" + job.task() + ") ended " + job.state() + describe(job.lastError()));
            this.job = job;
        }

        public Job job() {
            return job;
        }

        private static String describe(JobError e) {
            return e == null ? "" : ": " + e.type() + ": " + e.message();
        }
    }
}
