package dev.kyu.maintenance;

import dev.kyu.flow.AgingSweep;
import dev.kyu.job.Job;
import dev.kyu.job.JobError;
import dev.kyu.job.JobState;
import dev.kyu.spi.Broker;
import dev.kyu.spi.Outcome;
import dev.kyu.spi.RescueResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's housekeeping, run by every worker (and the scheduler and dashboard) at once: each loop owns
 * only its timing and calls one idempotent broker verb, so any number of processes may run them.
 * <ul>
 *   <li>promote: SCHEDULED jobs whose time has come become QUEUED (delays, retries' back-off);</li>
 *   <li>rescue: RUNNING jobs whose lease expired (their worker died) go back to QUEUED, or to FAILED
 *       once their attempts are spent, so a job that keeps killing workers is quarantined;</li>
 *   <li>prune: finished jobs past their retention, old statistics and silent workers are deleted, and so are
 *       throttle windows that have lapsed ({@link dev.kyu.client.ThrottleSweep}).</li>
 *   <li>age: the queues with a priority aging rule take their due steps ({@link AgingSweep}, once per step
 *       across all processes).</li>
 * </ul>
 * Intervals carry random jitter so that many processes do not hit the broker in step.
 *
 * <p>A rescued job's attempt ended without its worker ever reporting it, so the process that rescues it
 * tells its {@link dev.kyu.worker.JobListener}s instead: metrics count it and failure alerts see a job
 * that died with its worker. Each job is rescued by exactly one process, so it is reported once.
 */
public final class Maintenance {
    private static final Logger log = LoggerFactory.getLogger(Maintenance.class);
    private static final int BATCH = 1000;
    /** How often aging rules are looked at: the precision of an aging step, whose shortest length is 1 s. */
    private static final Duration AGING_CHECK = Duration.ofSeconds(1);

    private final Broker broker;
    private final MaintenanceOptions options;
    private final List<dev.kyu.worker.JobListener> listeners;
    private final AgingSweep aging;
    private final List<ScheduledFuture<?>> loops = new ArrayList<>();

    public Maintenance(Broker broker, MaintenanceOptions options) {
        this(broker, options, List.of());
    }

    /** @param listeners hear of each job this process rescues (a live list is read at each rescue) */
    public Maintenance(Broker broker, MaintenanceOptions options, List<dev.kyu.worker.JobListener> listeners) {
        this.broker = broker;
        this.options = options;
        this.listeners = listeners;
        this.aging = new AgingSweep(broker);
    }

    public void start(ScheduledExecutorService scheduler) {
        loops.add(every(scheduler, options.promoteInterval(), this::promote, "promote"));
        loops.add(every(scheduler, options.rescueInterval(), this::rescue, "rescue"));
        loops.add(every(scheduler, options.pruneInterval(), this::prune, "prune"));
        loops.add(every(scheduler, AGING_CHECK, this::age, "age"));
    }

    public void stop() {
        loops.forEach(f -> f.cancel(false));
        loops.clear();
    }

    /** Promotes every due job, in batches; returns how many. */
    public int promote() {
        int total = 0;
        int n;
        do {
            n = broker.jobsPromoteDue(BATCH);
            total += n;
        } while (n == BATCH);
        return total;
    }

    public RescueResult rescue() {
        RescueResult r = broker.leasesRescueExpired(BATCH);
        if (r.total() > 0) {
            log.warn(
                    "rescued {} job(s) whose worker was lost: {} requeued, {} failed (attempts spent), {} cancelled",
                    r.total(),
                    r.requeued().size(),
                    r.failed().size(),
                    r.cancelled().size());
            if (!listeners.isEmpty()) {
                report(r.requeued(), e -> new Outcome.Retry(e, Duration.ZERO));
                report(r.failed(), Outcome.Dead::new);
                report(r.cancelled(), Outcome.Cancelled::new);
            }
        }
        return r;
    }

    /**
     * Tells the listeners how each rescued attempt ended. They expect the job as its worker held it
     * (RUNNING, without the error of the attempt being reported), so the reason the rescue stored is
     * taken off the job and handed over as the outcome.
     */
    private void report(List<String> ids, Function<JobError, Outcome> outcomeOf) {
        for (String id : ids) {
            try {
                Job stored = broker.jobGet(id).orElse(null);
                if (stored == null || stored.errors().isEmpty()) continue;
                List<JobError> errors = stored.errors();
                JobError reason = errors.get(errors.size() - 1);
                Job held = stored.toBuilder()
                        .state(JobState.RUNNING)
                        .errors(errors.subList(0, errors.size() - 1))
                        .build();
                Outcome outcome = outcomeOf.apply(reason);
                for (var l : listeners) {
                    try {
                        l.onRecorded(held, outcome, Duration.ZERO);
                    } catch (RuntimeException e) {
                        log.warn(
                                "job listener {} failed on rescued job {}: {}",
                                l.getClass().getName(),
                                id,
                                e.toString());
                    }
                }
            } catch (RuntimeException e) {
                log.debug("rescued job {} not reported to listeners: {}", id, e.toString());
            }
        }
    }

    /** Takes the priority aging steps that are due; returns how many jobs rose. */
    public int age() {
        return aging.run();
    }

    public int prune() {
        int total = 0;
        int n;
        do {
            n = broker.jobsPrune(options.prune());
            total += n;
        } while (n >= options.prune().limit());
        if (total > 0) log.debug("pruned {} finished job(s)", total);
        try {
            dev.kyu.client.ThrottleSweep.sweep(broker);
        } catch (RuntimeException e) {
            // A failed sweep only leaves lapsed entries for the next one; the jobs' prune above is done.
            log.debug("throttle windows not swept: {}", e.toString());
        }
        return total;
    }

    private ScheduledFuture<?> every(
            ScheduledExecutorService scheduler, Duration interval, Runnable step, String name) {
        long ms = Math.max(1, interval.toMillis());
        long firstDelay = ThreadLocalRandom.current().nextLong(ms);
        return scheduler.scheduleWithFixedDelay(
                () -> {
                    try {
                        step.run();
                        // Jitter: each run waits a random extra up to a fifth of the interval.
                        long extra = ThreadLocalRandom.current().nextLong(ms / 5 + 1);
                        if (extra > 0) Thread.sleep(extra);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } catch (RuntimeException e) {
                        log.debug("maintenance step {} failed, will try again: {}", name, e.getMessage());
                    }
                },
                firstDelay,
                ms,
                TimeUnit.MILLISECONDS);
    }
}
