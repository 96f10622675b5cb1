package dev.kyu.schedule;

import dev.kyu.job.Durations;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;

/**
 * A fixed interval: fires at every whole multiple of {@code every} since 1970-01-01T00:00Z (so
 * {@code every 5m} fires at :00, :05, :10 … UTC). The fire instants are anchored to the epoch rather than
 * to "the last run" so that every scheduler process agrees on them without talking to the others. An
 * interval is elapsed time: time zones and DST never stretch or shrink it.
 */
public record IntervalTrigger(Duration every) implements Trigger {
    public static final Duration MIN = Duration.ofSeconds(1);

    public IntervalTrigger {
        if (every == null || every.compareTo(MIN) < 0) {
            throw new IllegalArgumentException(
                    "interval must be at least 1s, was " + (every == null ? "missing" : Durations.format(every)));
        }
        if (every.toMillis() % 1000 != 0) {
            throw new IllegalArgumentException("interval must be whole seconds, was " + Durations.format(every));
        }
    }

    @Override
    public Instant nextAfter(Instant after, ZoneId zone) {
        long step = every.toSeconds();
        long s = after.getEpochSecond();
        long next = Math.floorDiv(s, step) * step + step; // the next multiple strictly after `after`
        return Instant.ofEpochSecond(next);
    }

    @Override
    public Instant latestAtOrBefore(Instant at, ZoneId zone) {
        long step = every.toSeconds();
        return Instant.ofEpochSecond(Math.floorDiv(at.getEpochSecond(), step) * step);
    }

    @Override
    public String describe() {
        return "every " + Durations.format(every);
    }
}
