package dev.kyu.job;

import java.util.Objects;

/**
 * Names one attempt's hold on a RUNNING job: the fence that completing, failing or extending must
 * present. A worker that lost its lease (it expired and the job was rescued and fetched again) presents
 * an older attempt number and is refused, so it cannot overwrite the outcome of the attempt that
 * replaced it.
 *
 * <p>The lease carries the job's queue so that an engine can reach the job without an index from id to
 * queue (Redis Cluster keeps each queue in its own slot). A lease whose queue is not the job's is not held:
 * the fence refuses it like a stale attempt.
 */
public record Lease(String jobId, String queue, String workerId, int attempt) {
    public Lease {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(workerId, "workerId");
    }
}
