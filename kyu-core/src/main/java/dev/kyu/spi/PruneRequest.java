package dev.kyu.spi;

import java.time.Duration;

/**
 * Delete terminal jobs older than their retention (judged by {@code finishedAt}; CANCELLED jobs share the
 * SUCCEEDED retention; a job with its own {@link dev.kyu.job.Job#resultTtl()} is judged by that alone, in
 * place of these), at most {@code limit}
 * per call; also per-minute statistics older than {@code statsRetention} and workers silent for longer
 * than {@code workerRetention}.
 */
public record PruneRequest(
        Duration succeededRetention,
        Duration failedRetention,
        Duration statsRetention,
        Duration workerRetention,
        int limit) {
    public static PruneRequest defaults() {
        return new PruneRequest(
                Duration.ofHours(24), Duration.ofDays(7), Duration.ofHours(24), Duration.ofMinutes(5), 1000);
    }
}
