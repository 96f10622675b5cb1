package dev.kyu.alert;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * One alert rule of an alerts file (docs/alerts.md). Every rule names the channels it sends to. Job rules
 * report each job once; condition rules report when a condition starts to hold (FIRING) and when it stops
 * (RESOLVED), once each, whichever process evaluates them.
 */
public sealed interface Rule {
    String name();

    List<String> channels();

    /** A job reached FAILED (its last attempt failed, a non-retryable error, or its worker died on the last attempt). */
    record JobFailed(String name, Set<String> queues, Set<String> tasks, List<String> channels) implements Rule {}

    /**
     * Failed attempts above {@code percent} of finished attempts over {@code window}: of one task when
     * {@code task} is set (on {@code queue} only, when that is set too), else of a queue (or of every queue).
     */
    record FailureRate(
            String name,
            String queue,
            String task,
            double percent,
            Duration window,
            long minAttempts,
            List<String> channels)
            implements Rule {
        /** The per-queue form. */
        public FailureRate(
                String name, String queue, double percent, Duration window, long minAttempts, List<String> channels) {
            this(name, queue, null, percent, window, minAttempts, channels);
        }
    }

    /** A queue (or any queue) with more than {@code above} jobs waiting (QUEUED). */
    record QueueDepth(String name, String queue, long above, List<String> channels) implements Rule {}

    /** A queue's (or any queue's) oldest waiting job has waited longer than {@code above} since it was due. */
    record OldestJobAge(String name, String queue, Duration above, List<String> channels) implements Rule {}

    /** No worker with a heartbeat younger than {@code staleAfter} reads the queue. */
    record NoWorker(String name, String queue, Duration staleAfter, List<String> channels) implements Rule {}

    /** A schedule (or any schedule) whose tick is more than {@code grace} overdue. */
    record ScheduleMissed(String name, String schedule, Duration grace, List<String> channels) implements Rule {}
}
