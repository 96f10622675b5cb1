package dev.kyu.spi;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Lease up to {@code limit} due jobs from {@code queues}, read strictly in the order given (callers
 * that weight queues shuffle the list per call). Within a queue: higher priority first, then oldest
 * first. Paused queues are skipped. When nothing is due, block up to {@code maxWait} for the engine's
 * wake-up signal; return an empty list when the wait ends; when the thread is interrupted, return an empty list or throw
 * {@link InterruptedException} (engines differ by what their client library does).
 *
 * <p>Each returned job is RUNNING with {@code attempt} incremented, {@code workerId} set and
 * {@code leaseExpiresAt = now + leaseDuration}.
 */
public record FetchRequest(String workerId, List<String> queues, int limit, Duration leaseDuration, Duration maxWait) {
    public FetchRequest {
        Objects.requireNonNull(workerId, "workerId");
        queues = List.copyOf(queues);
        if (queues.isEmpty()) throw new IllegalArgumentException("fetch needs at least one queue");
        if (limit < 1) throw new IllegalArgumentException("fetch limit must be at least 1, was " + limit);
        Objects.requireNonNull(leaseDuration, "leaseDuration");
        maxWait = maxWait == null ? Duration.ZERO : maxWait;
    }

    /** The non-blocking claim this fetch makes each time it looks. */
    public ClaimRequest claim() {
        return new ClaimRequest(workerId, queues, limit, leaseDuration);
    }
}
