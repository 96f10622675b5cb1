package dev.kyu.schedule;

import java.time.Instant;
import java.util.List;

/**
 * What one scheduler pass did.
 *
 * @param leader     false when another scheduler held the leadership, so this pass did nothing
 * @param ticks      the ticks enqueued (or found already enqueued by another scheduler), in order
 * @param skipped    ticks not enqueued: paused, overlapping a still-active run, or dropped as missed
 * @param nextFireAt the earliest next fire time over this scheduler's schedules, or null
 */
public record Pass(boolean leader, List<Tick> ticks, int skipped, Instant nextFireAt) {
    public Pass {
        ticks = List.copyOf(ticks);
    }

    /** Ticks this pass stored as new jobs (the others were already there). */
    public List<Tick> created() {
        return ticks.stream().filter(Tick::created).toList();
    }

    /**
     * One tick handed to the broker.
     *
     * @param created false when the broker already held the tick (another scheduler enqueued it)
     */
    public record Tick(String schedule, Instant fireAt, String jobId, boolean created) {}
}
