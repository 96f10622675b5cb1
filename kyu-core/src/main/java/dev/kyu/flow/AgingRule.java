package dev.kyu.flow;

import dev.kyu.KyuException;
import dev.kyu.job.Durations;
import dev.kyu.task.Task;
import java.time.Duration;

/**
 * Priority aging of one queue: every {@code every}, each QUEUED job of the queue that has been due for at least
 * {@code every} and whose priority is below {@code ceiling} rises by one (see {@link Aging}). A job's priority
 * may be any {@code int} (as {@link dev.kyu.spi.NewJob} takes it), so any ceiling is valid; the rise stops at it.
 *
 * @param queue   the queue whose waiting jobs age
 * @param every   the length of one aging step, at least {@link #MIN_EVERY}
 * @param ceiling the priority aging never goes beyond: jobs at or above it are left as they are
 */
public record AgingRule(String queue, Duration every, int ceiling) {
    /** The shortest step: the sweep looks for due steps about once a second, so a shorter one could not be kept. */
    public static final Duration MIN_EVERY = Duration.ofSeconds(1);

    public AgingRule {
        Task.checkQueue(queue);
        if (every == null) throw new KyuException.InvalidInput("aging of queue " + queue + ": every is missing");
        if (every.compareTo(MIN_EVERY) < 0) {
            throw new KyuException.InvalidInput(
                    "aging of queue " + queue + ": every must be at least 1s, was " + Durations.format(every));
        }
        if (every.compareTo(Durations.MAX) > 0) {
            throw new KyuException.InvalidInput("aging of queue " + queue + ": every must be at most "
                    + Durations.MAX.toDays() + "d, was " + Durations.format(every));
        }
    }
}
