package dev.kyu.worker;

import dev.kyu.Causes;
import dev.kyu.job.Job;
import dev.kyu.job.JobError;
import dev.kyu.spi.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands back a job whose attempt could not even start because something failed around it (the broker's
 * clock, an unexpected error before the task ran), and keeps that bounded: each hand-back is logged, and
 * the {@value #LIMIT}th in a row of one job is a dead letter instead, with the reason, so a fault that
 * repeats can never turn into a silent loop of fetch and release. A job that ran since starts counting
 * afresh. Counts are per worker, in a bounded map.
 */
final class HandBacks {
    static final int LIMIT = 5;
    static final String TYPE = "kyu.HandedBack";
    private static final Logger log = LoggerFactory.getLogger(Worker.class);
    private static final int REMEMBERED = 4096;

    private final Supplier<Instant> clock;
    /** Hand-backs in a row per job id; almost always empty, so the check after every attempt is a read. */
    private final Map<String, Integer> inARow = new ConcurrentHashMap<>();

    HandBacks(Supplier<Instant> clock) {
        this.clock = clock;
    }

    /** The outcome for a job whose attempt failed to start: a hand-back, or a dead letter once they repeat. */
    Outcome failedToStart(Job job, RuntimeException cause) {
        String why = Causes.oneLine(cause);
        // The bound keeps a worker's memory flat whatever happens; forgetting the counts only delays a verdict.
        if (inARow.size() >= REMEMBERED) inARow.clear();
        int n = inARow.merge(job.id(), 1, Integer::sum);
        if (n >= LIMIT) {
            inARow.remove(job.id());
            // logged with the other dead letters once the broker has recorded it
            return new Outcome.Dead(JobError.reason(
                    job.attempt(), TYPE, "could not start " + n + " times in a row; last reason: " + why, clock.get()));
        }
        log.warn(
                "job {} ({}) could not start ({} of {} before it fails): handing it back: {}",
                job.id(),
                job.task(),
                n,
                LIMIT,
                why);
        return new Outcome.Released(Duration.ZERO);
    }

    /** The job's attempt started: a later failure to start counts from one again. */
    void started(Job job) {
        if (!inARow.isEmpty()) inARow.remove(job.id());
    }
}
