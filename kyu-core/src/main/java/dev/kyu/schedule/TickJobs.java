package dev.kyu.schedule;

import dev.kyu.job.JobIds;
import dev.kyu.job.JobOptions;
import dev.kyu.job.UniqueScope;
import dev.kyu.spi.NewJob;
import dev.kyu.task.KyuTask;
import dev.kyu.task.TaskRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;

/**
 * Turns a schedule's tick into the job to enqueue. Options layer like any enqueue: the schedule's, then
 * the task's defaults when this process knows the task, then Kyu's. A tick carries the unique key
 * {@code kyu:schedule:NAME:FIRE_INSTANT} for a period, so that however many schedulers enqueue the same
 * tick, the broker stores it once.
 */
final class TickJobs {
    /** Meta keys every scheduled job carries. */
    static final String META_SCHEDULE = "kyu.schedule", META_FIRE_AT = "kyu.fireAt", META_TRIGGER = "kyu.trigger";
    /** The least time a tick's unique key is kept: longer than any plausible stall of a scheduler. */
    static final Duration MIN_UNIQUE_PERIOD = Duration.ofDays(1);

    private final TaskRegistry tasks;
    private final Clock clock;

    TickJobs(TaskRegistry tasks, Clock clock) {
        this.tasks = tasks;
        this.clock = clock;
    }

    static String uniqueKey(String schedule, Instant fireAt) {
        return "kyu:schedule:" + schedule + ":" + fireAt;
    }

    /**
     * The job of the tick at {@code fireAt}, enqueued at {@code now}. The key is kept at least a day, and
     * at least twice as long as the tick is late, so that it outlives any catch-up that could reach it.
     */
    NewJob tick(Schedule s, Instant fireAt, Instant now) {
        Duration late = Duration.between(fireAt, now);
        Duration period =
                late.multipliedBy(2).compareTo(MIN_UNIQUE_PERIOD) > 0 ? late.multipliedBy(2) : MIN_UNIQUE_PERIOD;
        var b = builder(s, fireAt, "schedule");
        JobOptions o = options(s);
        if (o.delay() != null) b.runAt(fireAt.plus(o.delay()));
        return b.unique(uniqueKey(s.name(), fireAt), UniqueScope.PERIOD, period).build();
    }

    /** A run asked for by hand ("run now"): no unique key, due at once. */
    NewJob manual(Schedule s, Instant now) {
        return builder(s, now, "manual").build();
    }

    private NewJob.Builder builder(Schedule s, Instant fireAt, String trigger) {
        JobOptions o = options(s);
        var meta = new LinkedHashMap<>(o.meta());
        meta.put(META_SCHEDULE, s.name());
        meta.put(META_FIRE_AT, fireAt.toString());
        meta.put(META_TRIGGER, trigger);
        return NewJob.builder(JobIds.next(clock), s.task())
                .queue(o.queue())
                .args(s.argsJson())
                .priority(o.priority() == null ? 0 : o.priority())
                .maxAttempts(o.maxAttempts() == null ? 1 : o.maxAttempts())
                .timeout(o.timeout())
                .backoff(o.backoff() == null ? null : o.backoff().toSpec())
                .meta(meta);
    }

    private JobOptions options(Schedule s) {
        JobOptions taskDefaults = tasks == null
                ? JobOptions.NONE
                : tasks.find(s.task())
                        .map(KyuTask::options)
                        .map(t -> t.defaults())
                        .orElse(JobOptions.NONE);
        return s.options().over(taskDefaults).over(JobOptions.DEFAULTS);
    }
}
