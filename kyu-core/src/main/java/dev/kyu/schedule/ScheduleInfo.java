package dev.kyu.schedule;

import java.time.Instant;

/**
 * One schedule as listed by {@link ScheduleAdmin}: its definition, pause flag, last and next fire. The
 * JSON of {@code kyu inspect schedules --json} is an array of these, field for field.
 *
 * @param name        the schedule's name
 * @param task        the task it enqueues
 * @param queue       the queue its jobs go to (null: the task's default)
 * @param cron        the cron expression, or null for an interval
 * @param every       the interval ({@code 5m}), or null for a cron
 * @param zone        the time zone of the cron expression
 * @param args        the args, as JSON text
 * @param missedTicks skip, fire-once or catch-up
 * @param catchUpLimit at most this many missed ticks are caught up
 * @param overlap     allow or skip
 * @param paused      true while paused
 * @param lastFireAt  the latest tick enqueued, or null
 * @param lastJobId   its job, or null
 * @param nextFireAt  the next tick from now on, or null
 * @param problem     why the stored definition could not be read (the other fields may then be null)
 */
public record ScheduleInfo(
        String name,
        String task,
        String queue,
        String cron,
        String every,
        String zone,
        String args,
        String missedTicks,
        Integer catchUpLimit,
        String overlap,
        boolean paused,
        Instant lastFireAt,
        String lastJobId,
        Instant nextFireAt,
        String problem) {

    /** The trigger as one would write it: {@code cron "…"} or {@code every 5m}. */
    public String trigger() {
        return cron != null ? "cron \"" + cron + "\"" : every != null ? "every " + every : "?";
    }
}
