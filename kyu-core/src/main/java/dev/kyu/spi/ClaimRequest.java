package dev.kyu.spi;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Lease up to {@code limit} due jobs from {@code queues} now, without waiting: the non-blocking half of
 * {@link FetchRequest}, with the same order (queues strictly as given; within a queue higher priority first,
 * then oldest first), the same skipping of paused queues, and the same result (each job RUNNING, attempt
 * incremented, {@code workerId} set, {@code leaseExpiresAt = now + leaseDuration}).
 */
public record ClaimRequest(String workerId, List<String> queues, int limit, Duration leaseDuration) {
    public ClaimRequest {
        Objects.requireNonNull(workerId, "workerId");
        queues = List.copyOf(queues);
        if (queues.isEmpty()) throw new IllegalArgumentException("a claim needs at least one queue");
        if (limit < 1) throw new IllegalArgumentException("claim limit must be at least 1, was " + limit);
        Objects.requireNonNull(leaseDuration, "leaseDuration");
    }

    /** The same claim for fewer jobs. */
    public ClaimRequest withLimit(int n) {
        return new ClaimRequest(workerId, queues, n, leaseDuration);
    }
}
