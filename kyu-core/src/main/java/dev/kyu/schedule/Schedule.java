package dev.kyu.schedule;

import dev.kyu.KyuException;
import dev.kyu.codec.JsonCodec;
import dev.kyu.job.Durations;
import dev.kyu.job.JobOptions;
import dev.kyu.task.Task;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A periodic job: which task to enqueue with which args and options, and when. Immutable; build one with
 * {@link #builder(String, String)}:
 *
 * <pre>{@code
 * Schedule.builder("morning-report", "reports.morning")
 *         .cron("30 7 * * 1-5").zone("Asia/Tokyo")
 *         .args(new Report("sales"))
 *         .options(JobOptions.builder().queue("reports").priority(5).build())
 *         .build();
 * Schedule.builder("cache-refresh", "cache.refresh").every("5m").overlap(OverlapPolicy.SKIP).build();
 * }</pre>
 *
 * Every bad value fails with a one-line {@link KyuException.InvalidInput} naming the schedule and the field.
 *
 * @param name         unique among schedules: letters, digits, {@code _ . -}, 1 to 100 characters
 * @param task         the task name to enqueue
 * @param argsJson     the args, as JSON text
 * @param options      queue, priority, attempts, back-off, timeout, meta, delay (after the fire time) of each
 *                     tick's job; {@code runAt} and unique keys are the scheduler's and may not be set
 * @param trigger      cron expression or interval
 * @param zone         the zone a cron expression is read in (default UTC); intervals ignore it
 * @param missedTicks  what to do with ticks missed while no scheduler ran (default fire-once)
 * @param catchUpLimit how many missed ticks {@link MissedTickPolicy#CATCH_UP} fires at most (default 10)
 * @param overlap      whether a tick may start while the previous one is still waiting or running (default allow)
 */
public record Schedule(
        String name,
        String task,
        String argsJson,
        JobOptions options,
        Trigger trigger,
        ZoneId zone,
        MissedTickPolicy missedTicks,
        int catchUpLimit,
        OverlapPolicy overlap) {

    public static final int DEFAULT_CATCH_UP_LIMIT = 10;
    public static final int MAX_CATCH_UP_LIMIT = 1000;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.\\-]{1,100}");

    public Schedule {
        checkName(name);
        if (task == null) throw problem(name, "task", "missing: name the task to enqueue");
        try {
            Task.checkName(task);
        } catch (KyuException.InvalidInput e) {
            throw problem(name, "task", e.getMessage());
        }
        argsJson = argsJson == null ? "null" : argsJson;
        try {
            JsonCodec.shared().parse(argsJson);
        } catch (KyuException.InvalidInput e) {
            throw problem(name, "args", e.getMessage());
        }
        options = options == null ? JobOptions.NONE : options;
        if (options.runAt() != null)
            throw problem(name, "runAt", "a schedule's jobs run at their fire time; use delay to run later than it");
        if (options.flow() != null)
            throw problem(
                    name, "flow", "a schedule fires once per tick already; debounce and throttle are set per enqueue");
        if (options.uniqueKey() != null) {
            throw problem(
                    name,
                    "unique",
                    "a schedule's jobs carry the scheduler's own unique key (schedule, fire time); remove it");
        }
        if (trigger == null) throw problem(name, "cron", "missing: set either cron or every");
        zone = zone == null ? ZoneOffset.UTC : zone;
        missedTicks = missedTicks == null ? MissedTickPolicy.FIRE_ONCE : missedTicks;
        overlap = overlap == null ? OverlapPolicy.ALLOW : overlap;
        if (catchUpLimit < 1 || catchUpLimit > MAX_CATCH_UP_LIMIT) {
            throw problem(
                    name, "catchUpLimit", "must be between 1 and " + MAX_CATCH_UP_LIMIT + ", was " + catchUpLimit);
        }
    }

    public static Builder builder(String name, String task) {
        return new Builder(name, task);
    }

    public Builder toBuilder() {
        var b = new Builder(name, task);
        b.argsJson = argsJson;
        b.options = options;
        b.trigger = trigger;
        b.zone = zone;
        b.missedTicks = missedTicks;
        b.catchUpLimit = catchUpLimit;
        b.overlap = overlap;
        return b;
    }

    /** The queue each tick's job goes to, when the schedule names one; else the task's or Kyu's default. */
    public String queueOrDefault() {
        return options.queue() == null ? JobOptions.DEFAULTS.queue() : options.queue();
    }

    static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new KyuException.InvalidInput("bad schedule name " + dev.kyu.codec.Printable.quoted(name)
                    + ": use 1-100 letters, digits, '_', '.' or '-'");
        }
        return name;
    }

    static KyuException.InvalidInput problem(String schedule, String field, String message) {
        return new Problem(schedule, field, message).exception();
    }

    /** Parses a zone id (IANA name such as Asia/Tokyo, or UTC, or an offset such as +09:00). */
    static ZoneId parseZone(String zone) {
        if (zone == null || zone.isBlank())
            throw new IllegalArgumentException("empty time zone: expected an IANA name such as Europe/Berlin, or UTC");
        try {
            return ZoneId.of(zone.trim());
        } catch (java.time.DateTimeException e) {
            throw new IllegalArgumentException("unknown time zone '" + zone
                    + "': expected an IANA name such as Europe/Berlin, America/New_York or UTC");
        }
    }

    public static final class Builder {
        private final String name, task;
        private String argsJson = "null";
        private JobOptions options = JobOptions.NONE;
        private Trigger trigger;
        private ZoneId zone = ZoneOffset.UTC;
        private MissedTickPolicy missedTicks = MissedTickPolicy.FIRE_ONCE;
        private int catchUpLimit = DEFAULT_CATCH_UP_LIMIT;
        private OverlapPolicy overlap = OverlapPolicy.ALLOW;

        private Builder(String name, String task) {
            this.name = checkName(name);
            this.task = task;
        }

        /** A cron expression: 5 fields, 6 with seconds, or a macro such as {@code @daily}. */
        public Builder cron(String expression) {
            try {
                trigger = CronTrigger.parse(expression);
            } catch (IllegalArgumentException e) {
                throw problem(name, "cron", e.getMessage());
            }
            return this;
        }

        public Builder every(Duration interval) {
            try {
                trigger = new IntervalTrigger(interval);
            } catch (IllegalArgumentException e) {
                throw problem(name, "every", e.getMessage());
            }
            return this;
        }

        /** An interval as text: {@code 30s}, {@code 5m}, {@code 1h}, {@code PT10S}. */
        public Builder every(String interval) {
            Duration d;
            try {
                d = Durations.parse(interval);
            } catch (IllegalArgumentException e) {
                throw problem(name, "every", e.getMessage());
            }
            return every(d);
        }

        public Builder trigger(Trigger t) {
            trigger = Objects.requireNonNull(t, "trigger");
            return this;
        }

        public Builder zone(ZoneId z) {
            zone = Objects.requireNonNull(z, "zone");
            return this;
        }

        public Builder zone(String z) {
            try {
                zone = parseZone(z);
            } catch (IllegalArgumentException e) {
                throw problem(name, "zone", e.getMessage());
            }
            return this;
        }

        /** The args as an object, encoded to JSON now (Jackson, as for any enqueue). */
        public Builder args(Object args) {
            try {
                argsJson = JsonCodec.shared().encode(args);
            } catch (KyuException.InvalidInput e) {
                throw problem(name, "args", e.getMessage());
            }
            return this;
        }

        public Builder argsJson(String json) {
            argsJson = json;
            return this;
        }

        public Builder options(JobOptions o) {
            options = o == null ? JobOptions.NONE : o;
            return this;
        }

        public Builder missedTicks(MissedTickPolicy p) {
            missedTicks = p;
            return this;
        }

        public Builder catchUpLimit(int n) {
            catchUpLimit = n;
            return this;
        }

        public Builder overlap(OverlapPolicy p) {
            overlap = p;
            return this;
        }

        public Schedule build() {
            return new Schedule(name, task, argsJson, options, trigger, zone, missedTicks, catchUpLimit, overlap);
        }
    }
}
