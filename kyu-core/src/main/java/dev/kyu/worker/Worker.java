package dev.kyu.worker;

import dev.kyu.Causes;
import dev.kyu.job.Job;
import dev.kyu.maintenance.Maintenance;
import dev.kyu.maintenance.MaintenanceOptions;
import dev.kyu.spi.Broker;
import dev.kyu.spi.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker: fetches jobs from its queues and runs each on a virtual thread (or a platform pool), at most
 * {@code concurrency} at once. Duties and threads:
 * <ul>
 *   <li>{@link Fetcher} (one thread) leases jobs for free slots only;</li>
 *   <li>job threads run one {@link JobExecutor} attempt each, with a timeout timer;</li>
 *   <li>{@link Completer} (one thread) records outcomes in batches;</li>
 *   <li>a small scheduler thread pool runs the {@link Heartbeater}, the {@link WorkerRegistration} and
 *       the {@link Maintenance} loops.</li>
 * </ul>
 * Shutdown ({@link #close()}, called on SIGTERM by the CLI): stop fetching, hand back jobs that have not
 * started, let running jobs finish within the grace period, then interrupt the rest and hand them back
 * to QUEUED at once, without spending an attempt, rather than let their leases run out.
 */
public final class Worker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Worker.class);

    private final Broker broker;
    private final WorkerOptions options;
    private final JobExecutor executor;
    private final List<JobListener> listeners;
    private final Map<String, RunningJob> inflight;
    private final Permits slots;
    private final Permits runPermits;
    /** The current limit on running jobs: options.concurrency() unless {@link #resize} changed it. */
    private volatile int concurrency;

    private final AtomicInteger running = new AtomicInteger();
    private final AtomicLong processed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong abandoned = new AtomicLong();
    private final JobThreads jobThreads;
    private final Supplier<Instant> brokerClock;
    private final ScheduledExecutorService scheduler;
    private final Fetcher fetcher;
    private final Completer completer;
    private final Heartbeater heartbeater;
    private final WorkerRegistration registration;
    private final Maintenance maintenance;
    private final HandBacks handBacks;
    /** Flow limits checked before each job starts (null: none). */
    private final dev.kyu.flow.FlowGate gate;
    /** The child JVMs of isolated tasks, or null when none is isolated. */
    private final dev.kyu.worker.isolated.ChildPool children;

    private volatile boolean started;
    private volatile boolean stopping;
    private volatile boolean stopped;

    public Worker(
            Broker broker,
            JobExecutor executor,
            WorkerOptions options,
            MaintenanceOptions maintenanceOptions,
            List<JobListener> listeners) {
        this(broker, executor, options, maintenanceOptions, listeners, null);
    }

    /**
     * A worker whose jobs pass {@code gate} (flow limits) before they start; null for none. A job the gate holds
     * back is handed back at once without spending an attempt, and its slot goes to other work.
     */
    public Worker(
            Broker broker,
            JobExecutor executor,
            WorkerOptions options,
            MaintenanceOptions maintenanceOptions,
            List<JobListener> listeners,
            dev.kyu.flow.FlowGate gate) {
        this.broker = broker;
        this.gate = gate;
        if (gate != null) executor = executor.pausingLimits(gate);
        this.options = options;
        if (options.isolated().any()) {
            // Checked before any child starts: a task a child could not rebuild fails the worker's start, not its jobs.
            var classes = executor.isolatedTaskClasses(options.isolated().tasks());
            this.children = new dev.kyu.worker.isolated.ChildPool(options.isolated(), classes);
            this.executor = executor.isolating(children, options.isolated().tasks());
        } else {
            this.children = null;
            this.executor = executor;
        }
        this.listeners = listeners; // a live list: listeners added to the Kyu later are heard too
        // Sized for every slot at once, so the map never resizes while jobs stream through it.
        this.inflight = new ConcurrentHashMap<>(2 * (options.concurrency() + options.prefetch()));
        this.slots = new Permits(options.concurrency() + options.prefetch());
        this.runPermits = new Permits(options.concurrency());
        this.concurrency = options.concurrency();
        this.jobThreads = JobThreads.of(options);
        this.handBacks = new HandBacks(executor::now);
        this.brokerClock = broker::now;
        this.scheduler = Executors.newScheduledThreadPool(
                2, Thread.ofPlatform().daemon().name("kyu-worker-timer-", 0).factory());
        this.fetcher = new Fetcher(broker, options, slots, this::dispatch);
        this.completer = new Completer(broker, options.workerId(), options.leaseDuration(), this::recorded);
        this.heartbeater = new Heartbeater(broker, options.workerId(), options.leaseDuration(), inflight.values());
        this.registration = new WorkerRegistration(
                broker, options, () -> concurrency, running::get, processed::get, failed::get, broker.now());
        var rescueEvery = maintenanceOptions
                                .rescueInterval()
                                .compareTo(options.leaseDuration().dividedBy(2))
                        > 0
                ? maintenanceOptions.withRescueInterval(options.leaseDuration().dividedBy(2))
                : maintenanceOptions;
        this.maintenance = options.maintenance() ? new Maintenance(broker, rescueEvery, listeners) : null;
    }

    /** Starts fetching and running jobs; returns at once. */
    public synchronized Worker start() {
        if (started) throw new IllegalStateException("worker " + options.workerId() + " was already started");
        started = true;
        registration.beat();
        completer.start();
        long hb = options.heartbeatInterval().toMillis();
        scheduler.scheduleWithFixedDelay(guard(heartbeater::beat), hb, hb, TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(guard(registration::beat), 5, 5, TimeUnit.SECONDS);
        if (maintenance != null) maintenance.start(scheduler);
        if (gate != null && options.maintenance())
            scheduler.scheduleWithFixedDelay(guard(gate::sweep), 60, 60, TimeUnit.SECONDS);
        fetcher.start();
        log.info(
                "worker {} started on {}: queues {}{}, concurrency {}",
                options.workerId(),
                broker.describe(),
                options.queues(),
                options.weighted() ? " weighted " + options.weights() : "",
                options.concurrency());
        return this;
    }

    public WorkerOptions options() {
        return options;
    }

    /** Jobs running now. */
    public int busy() {
        return running.get();
    }

    /** Outcomes recorded by this worker since it started (succeeded, failed, retried, cancelled). */
    public long processed() {
        return processed.get();
    }

    /** Attempts that failed (retried or dead). */
    public long failed() {
        return failed.get();
    }

    /** A snapshot of this worker's slots and health, for its HTTP endpoint and its meters. */
    public WorkerStatus status() {
        int busyNow = running.get();
        int leased = inflight.size();
        return new WorkerStatus(
                options.workerId(),
                concurrency,
                busyNow,
                Math.max(0, leased - busyNow),
                fetcher.errors(),
                started && !stopping && !stopped,
                fetcher.healthy(),
                registration.sinceLastBeat());
    }

    /**
     * Changes the limit on running jobs while the worker runs (what an {@link Autoscaler} does). Growing
     * takes effect at once; shrinking as running jobs finish, none is stopped. Virtual threads only: a
     * platform pool has as many threads as the concurrency it was built with.
     */
    public synchronized void resize(int newConcurrency) {
        if (newConcurrency < 1 || newConcurrency > 100_000)
            throw new IllegalArgumentException("concurrency must be 1..100000, was " + newConcurrency);
        if (options.platformThreads())
            throw new IllegalStateException("a worker on platform threads cannot be resized");
        int delta = newConcurrency - concurrency;
        if (delta > 0) {
            runPermits.release(delta);
            slots.release(delta);
        } else if (delta < 0) {
            runPermits.shrink(-delta);
            slots.shrink(-delta);
        }
        concurrency = newConcurrency;
    }

    /** A semaphore that can also shrink: its permits may go below zero until enough are released. */
    private static final class Permits extends Semaphore {
        Permits(int n) {
            super(n);
        }

        void shrink(int n) {
            reducePermits(n);
        }

        /** Never clears a debt left by {@link #shrink}: while the count is below zero, nothing is available. */
        @Override
        public int drainPermits() {
            int n = super.drainPermits();
            if (n >= 0) return n;
            reducePermits(-n);
            return 0;
        }
    }

    private void dispatch(Job job) {
        var r = new RunningJob(job);
        RunningJob older = inflight.put(job.id(), r);
        if (older != null && !older.isSettled() && older.stop(StopReason.LEASE_LOST)) {
            // The broker leased this job to us again: an earlier attempt here outlived its lease (a stall
            // longer than the lease: a frozen VM, a long pause, a broker outage) and was rescued. That
            // attempt is no longer ours to finish; the new one is heartbeated in its place.
            log.warn(
                    "job {} was leased again (attempt {}) while attempt {} still ran here: stopping the older attempt",
                    job.id(),
                    job.attempt(),
                    older.job().attempt());
        }
        if (stopping) r.stop(StopReason.RELEASED);
        try {
            jobThreads.start(() -> run(r));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.info("job {} ({}) handed back unstarted: the worker is stopping", job.id(), job.task());
            r.stop(StopReason.RELEASED);
            settle(r, new Outcome.Released(Duration.ZERO));
            slots.release();
        }
    }

    private void run(RunningJob r) {
        r.attach(Thread.currentThread());
        Outcome outcome;
        boolean permit = false;
        boolean ownSlot = true; // false once the hard time limit gave the slot away (see abandon)
        ScheduledFuture<?> timer = null, hardTimer = null;
        try {
            // The flow gate judges the job as soon as it is fetched, before it waits for a run permit: a job
            // over its limit goes back at once, never held in this worker's prefetch while other jobs run.
            Outcome refused = r.stopReason() == StopReason.NONE ? admit(r) : null;
            if (refused == null) {
                runPermits.acquire();
                permit = true;
            }
            if (r.stopReason() != StopReason.NONE) {
                outcome = outcomeWithoutRunning(r);
            } else if (refused != null) {
                outcome = refused;
            } else {
                running.incrementAndGet();
                r.started();
                if (!listeners.isEmpty()) listeners.forEach(l -> safely(() -> l.onStarted(r.job())));
                if (r.job().timeout() != null) {
                    timer = scheduler.schedule(
                            () -> r.stop(StopReason.TIMED_OUT),
                            r.job().timeout().toMillis(),
                            TimeUnit.MILLISECONDS);
                    hardTimer = scheduler.schedule(
                            () -> abandon(r),
                            r.job().timeout().plus(options.hardTimeoutGrace()).toMillis(),
                            TimeUnit.MILLISECONDS);
                }
                try {
                    outcome = executor.execute(
                            r.job(),
                            r::stopReason,
                            brokerClock,
                            options.unknownTaskGrace(),
                            options.unknownTaskDelay(),
                            r::reportProgress);
                    handBacks.started(r.job());
                } finally {
                    ownSlot = r.leave();
                    if (ownSlot) running.decrementAndGet();
                }
            }
        } catch (InterruptedException e) {
            outcome = outcomeWithoutRunning(r);
        } catch (RuntimeException e) {
            // The attempt could not start (the broker's clock failed during the unknown-task check, or a
            // fault around the task): hand the job back rather than guess, logged and bounded.
            outcome = handBacks.failedToStart(r.job(), e);
        } finally {
            if (timer != null) timer.cancel(false);
            if (hardTimer != null) hardTimer.cancel(false);
            r.finished();
            r.releaseFlow();
            Thread.interrupted(); // a stop that raced with the end of the job must not leak into the next one
            if (ownSlot) {
                if (permit) runPermits.release();
                slots.release();
            }
        }
        settle(r, outcome); // an abandoned job's late outcome is dropped here: abandon settled it already
    }

    /**
     * The hard time limit: a job still running after its timeout and the grace ignored the interrupt (a busy
     * loop, a stuck native call). A JVM thread cannot be killed, so the worker gives up on it instead: the
     * attempt is failed as timed out, its lease given up with that outcome and its slot handed to the next
     * job. The thread runs on as a runaway, reported in the log and to listeners; whatever it returns is ignored.
     */
    private void abandon(RunningJob r) {
        if (!r.abandon()) return; // it returned in time
        r.releaseFlow();
        running.decrementAndGet();
        runPermits.release();
        slots.release();
        abandoned.incrementAndGet();
        log.warn(
                "job {} ({}) attempt {} ignored its timeout of {} for the grace of {}: failed as timed out and its slot freed; "
                        + "its thread cannot be stopped and still runs ({} abandoned so far)",
                r.job().id(),
                r.job().task(),
                r.job().attempt(),
                dev.kyu.job.Durations.format(r.job().timeout()),
                dev.kyu.job.Durations.format(options.hardTimeoutGrace()),
                abandoned.get());
        if (!listeners.isEmpty()) listeners.forEach(l -> safely(() -> l.onAbandoned(r.job())));
        settle(r, executor.abandoned(r.job(), options.hardTimeoutGrace()));
    }

    /**
     * Asks the flow gate whether the job may start: null when it may (its slots are then held until the attempt
     * ends), else the outcome that hands it back to wait or fails it for a key that cannot be computed.
     */
    private Outcome admit(RunningJob r) {
        if (gate == null) return null;
        return switch (gate.admit(r.job())) {
            case dev.kyu.flow.FlowGate.Admit a -> {
                r.admitted(a.ticket());
                yield null;
            }
            case dev.kyu.flow.FlowGate.Hold h -> new Outcome.Released(h.delay());
            case dev.kyu.flow.FlowGate.Fail f ->
                new Outcome.Dead(
                        dev.kyu.job.JobError.reason(r.job().attempt(), f.errorType(), f.reason(), executor.now()));
        };
    }

    /** Isolated child JVMs killed since the worker started (at a timeout, a cancel, a shutdown), or 0 without isolated tasks. */
    public long isolatedChildrenKilled() {
        return children == null ? 0 : children.killed();
    }

    /** Isolated child JVMs started since the worker started (the first ones and their replacements). */
    public long isolatedChildrenStarted() {
        return children == null ? 0 : children.started();
    }

    /** Attempts given up at their hard time limit since the worker started; their threads may still run. */
    public long abandoned() {
        return abandoned.get();
    }

    private Outcome outcomeWithoutRunning(RunningJob r) {
        return executor.notRun(r.job(), r.stopReason());
    }

    private void settle(RunningJob r, Outcome outcome) {
        if (!r.settle()) return;
        // A job stopped because its lease was lost reports nothing: another attempt owns it. A job that
        // finished on its own still reports, and the broker's fencing decides whether that counts.
        if (r.stopReason() == StopReason.LEASE_LOST && outcome instanceof Outcome.Released) {
            inflight.remove(r.job().id(), r); // a later attempt of the same job may hold the entry now
            return;
        }
        completer.submit(new RunningJob.Settled(r, outcome));
    }

    private void recorded(List<Completer.Recorded> batch) {
        for (var rec : batch) {
            RunningJob r = rec.settled().running();
            inflight.remove(r.job().id(), r); // a later attempt of the same job may hold the entry now
            if (!rec.applied()) {
                log.warn(
                        "outcome of job {} attempt {} was refused: its lease had moved on",
                        r.job().id(),
                        r.job().attempt());
                continue;
            }
            Outcome o = rec.settled().outcome();
            if (o instanceof Outcome.Released) continue;
            processed.incrementAndGet();
            if (o instanceof Outcome.Retry || o instanceof Outcome.Dead) failed.incrementAndGet();
            logOutcome(r.job(), o);
            if (listeners.isEmpty()) continue;
            Duration runTime =
                    r.startedNanos() == 0 ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - r.startedNanos());
            for (JobListener l : listeners) safely(() -> l.onRecorded(r.job(), o, runTime));
        }
    }

    /** Text from the job (its task name, an error's type and message) as one log line that cannot forge another. */
    private static String oneLine(String m) {
        return m == null ? "" : dev.kyu.codec.Printable.line(m);
    }

    /** One line per failed or cancelled attempt (an operator's first clue); successes only at debug. */
    private static void logOutcome(Job job, Outcome o) {
        switch (o) {
            case Outcome.Retry rt ->
                log.info(
                        "job {} ({}) attempt {} failed, retrying in {}: {}: {}",
                        job.id(),
                        oneLine(job.task()),
                        job.attempt(),
                        dev.kyu.job.Durations.format(rt.delay()),
                        oneLine(rt.error().type()),
                        oneLine(rt.error().message()));
            case Outcome.Dead d ->
                log.warn(
                        "job {} ({}) failed for good at attempt {}: {}: {}",
                        job.id(),
                        oneLine(job.task()),
                        job.attempt(),
                        oneLine(d.error().type()),
                        oneLine(d.error().message()));
            case Outcome.Cancelled c ->
                log.info("job {} ({}) cancelled at attempt {}", job.id(), oneLine(job.task()), job.attempt());
            default -> {
                if (log.isDebugEnabled())
                    log.debug("job {} ({}) succeeded at attempt {}", job.id(), oneLine(job.task()), job.attempt());
            }
        }
    }

    /** Stops within the configured grace period; see the class comment. */
    @Override
    public void close() {
        stop(options.shutdownGrace());
    }

    public synchronized void stop(Duration grace) {
        if (stopped || !started) {
            stopped = true;
            return;
        }
        stopping = true;
        log.info(
                "worker {} stopping: {} job(s) running, grace {}",
                options.workerId(),
                running.get(),
                dev.kyu.job.Durations.format(grace));
        try {
            fetcher.stop();
            // Leased but not started: hand back now.
            int unstarted = 0;
            for (RunningJob r : inflight.values()) {
                if (!r.isRunning() && r.stop(StopReason.RELEASED)) unstarted++;
            }
            if (unstarted > 0) log.info("{} leased job(s) not started yet are handed back", unstarted);
            long deadline = System.nanoTime() + grace.toNanos();
            while (running.get() > 0 && System.nanoTime() < deadline) Thread.sleep(10);
            if (running.get() > 0) {
                log.warn(
                        "{} job(s) still running after the grace period: interrupting them and handing them back",
                        running.get());
                for (RunningJob r : inflight.values()) r.stop(StopReason.RELEASED);
                long hard = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                while (running.get() > 0 && System.nanoTime() < hard) Thread.sleep(10);
                for (RunningJob r : inflight.values()) settle(r, new Outcome.Released(Duration.ZERO));
            }
            completer.stop(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (maintenance != null) maintenance.stop();
            scheduler.shutdownNow();
            jobThreads.shutdownNow();
            if (children != null) children.close();
            registration.remove();
            stopped = true;
            log.info("worker {} stopped: {} job(s) processed", options.workerId(), processed.get());
        }
    }

    private static Runnable guard(Runnable r) {
        return () -> safely(r);
    }

    private static void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            log.warn("worker housekeeping step failed: {}", Causes.oneLine(e));
            log.debug("housekeeping step failed", e);
        }
    }
}
