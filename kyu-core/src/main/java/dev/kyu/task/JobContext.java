package dev.kyu.task;

import java.time.Instant;
import java.util.Map;

/**
 * What a running task may know about its job. The job id is the idempotency key for work that must not
 * happen twice: a job may run more than once (at-least-once delivery), always under the same id.
 */
public record JobContext(String jobId, String task, String queue, int attempt, int maxAttempts,
                         Instant enqueuedAt, Map<String, String> meta, String workerId) {

    public boolean isLastAttempt() {
        return attempt >= maxAttempts;
    }

    /** Throws if the job was cancelled, timed out or is being handed back: long loops call this between steps. */
    public void checkInterrupted() throws InterruptedException {
        if (Thread.currentThread().isInterrupted()) throw new InterruptedException("job " + jobId + " was interrupted");
    }
}
