package dev.kyu.job;

import java.util.Objects;

/**
 * Names one attempt's hold on a RUNNING job: the fence that completing, failing or extending must
 * present. A worker that lost its lease (it expired and the job was rescued and fetched again) presents
 * an older attempt number and is refused, so it cannot overwrite the outcome of the attempt that
 * replaced it.
 */
public record Lease(String jobId, String workerId, int attempt) {
    public Lease {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(workerId, "workerId");
    }
}
