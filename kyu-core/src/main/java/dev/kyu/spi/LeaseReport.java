package dev.kyu.spi;

import java.util.Set;

/**
 * What a heartbeat learned.
 *
 * @param lost            job ids whose lease this worker no longer holds (expired and rescued, deleted,
 *                        or finished elsewhere): the worker stops them and reports nothing for them
 * @param cancelRequested job ids whose lease was extended but that were asked to cancel: the worker
 *                        interrupts them and completes them as cancelled
 */
public record LeaseReport(Set<String> lost, Set<String> cancelRequested) {
    public static final LeaseReport EMPTY = new LeaseReport(Set.of(), Set.of());

    public LeaseReport {
        lost = Set.copyOf(lost);
        cancelRequested = Set.copyOf(cancelRequested);
    }
}
