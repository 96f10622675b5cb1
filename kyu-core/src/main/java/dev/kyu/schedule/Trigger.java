package dev.kyu.schedule;

import java.time.Instant;
import java.time.ZoneId;

/**
 * When a schedule fires: a cron expression read in the schedule's time zone, or a fixed interval.
 * A trigger is a pure function of time, so every scheduler process computes the same fire instants;
 * that is what lets the broker's unique key on (schedule, fire instant) make each tick exactly-once.
 */
public sealed interface Trigger permits CronTrigger, IntervalTrigger {

    /** The first fire instant strictly after {@code after}; successive calls therefore strictly increase. */
    Instant nextAfter(Instant after, ZoneId zone);

    /** The latest fire instant at or before {@code at}, or null when there is none. */
    Instant latestAtOrBefore(Instant at, ZoneId zone);

    /** The trigger as a user wrote it: {@code cron "30 7 * * *"} or {@code every 5m}. */
    String describe();

    static Trigger cron(String expression) {
        return CronTrigger.parse(expression);
    }

    static Trigger every(java.time.Duration interval) {
        return new IntervalTrigger(interval);
    }
}
