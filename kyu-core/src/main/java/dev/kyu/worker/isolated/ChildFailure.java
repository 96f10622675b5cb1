package dev.kyu.worker.isolated;

import dev.kyu.job.JobError;
import java.time.Instant;

/**
 * An isolated attempt that failed in its child JVM: the task threw there (its exception's type, message
 * and stack are carried over as text), or the child died under it. The worker records it as the child saw it.
 */
public final class ChildFailure extends RuntimeException {
    private final String type;
    private final String stack;
    private final boolean retryable;

    ChildFailure(String type, String message, String stack, boolean retryable) {
        super(message, null, false, false);
        this.type = type;
        this.stack = stack;
        this.retryable = retryable;
    }

    /** The child died mid-job (a crash, {@code System.exit}, the OOM killer): retryable, like a lost worker. */
    static ChildFailure lost(String message) {
        return new ChildFailure(JobError.WORKER_LOST, message, "", true);
    }

    public String type() {
        return type;
    }

    /** Whether the task's own retry rules, applied in the child to the real exception, allow another attempt. */
    public boolean retryable() {
        return retryable;
    }

    public JobError error(int attempt, Instant at) {
        return new JobError(attempt, type, getMessage(), stack, at);
    }
}
