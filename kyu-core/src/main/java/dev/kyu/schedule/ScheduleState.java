package dev.kyu.schedule;

import java.time.Instant;

/**
 * A schedule's runtime state as kept in the broker: small, one JSON value per schedule.
 *
 * @param horizon    the latest tick already dealt with (fired, skipped or dropped); ticks after it are due
 *                   once their time comes. Starts at the moment the schedule was first seen.
 * @param lastFireAt the fire time of the latest tick enqueued, or null
 * @param lastJobId  that tick's job id (what overlap {@code skip} looks at), or null
 * @param updatedAt  when a scheduler last wrote this, by its clock
 */
public record ScheduleState(Instant horizon, Instant lastFireAt, String lastJobId, Instant updatedAt) {}
