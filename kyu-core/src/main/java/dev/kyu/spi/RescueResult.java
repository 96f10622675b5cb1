package dev.kyu.spi;

import java.util.List;

/**
 * Jobs whose lease had expired (their worker died or hung): back to QUEUED when attempts remain, else
 * FAILED; either way with a {@code kyu.WorkerLost} error appended. A job that had been asked to cancel
 * goes to CANCELLED instead.
 */
public record RescueResult(List<String> requeued, List<String> failed, List<String> cancelled) {
    public static final RescueResult NONE = new RescueResult(List.of(), List.of(), List.of());

    public RescueResult {
        requeued = List.copyOf(requeued);
        failed = List.copyOf(failed);
        cancelled = List.copyOf(cancelled);
    }

    public int total() {
        return requeued.size() + failed.size() + cancelled.size();
    }
}
