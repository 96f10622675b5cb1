package dev.kyu.schedule;

import dev.kyu.Causes;
import dev.kyu.Kyu;
import dev.kyu.KyuException;
import dev.kyu.job.Job;
import dev.kyu.job.JobState;
import dev.kyu.spi.Broker;
import dev.kyu.spi.EnqueueRequest;
import dev.kyu.spi.EnqueueResult;
import dev.kyu.spi.NewJob;
import dev.kyu.task.TaskRegistry;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kyu's beat: enqueues each schedule's ticks as they come due. {@link #runDue()} is one synchronous pass
 * (tests drive it with a manual clock); {@link #start()} runs passes on one background thread, waking
 * at the next fire time or after the poll interval, whichever is sooner.
 *
 * <p>Exactly once per tick, whatever the number of schedulers: each tick is enqueued under the unique key
 * (schedule, fire instant), so the broker stores it once even when two schedulers both believe they
 * lead. Leadership (a broker lock renewed every pass) only saves the followers' work. All shared state
 * (definitions, last and next fire, paused) lives in the broker's key-value store ({@link ScheduleStore});
 * in memory this class keeps only a cache of each schedule's next fire time, to skip reads until then.
 *
 * <p>One pass, per schedule: skip if its cached next fire time has not come; read its state (first sight:
 * the horizon is now, nothing fires); plan the due ticks ({@link TickPlan}); unless paused or overlapping
 * a run still active, enqueue them in one batch; then record the new horizon and last job.
 */
public final class Scheduler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Scheduler.class);
    public static final String LEADER_LOCK_PREFIX = "kyu:schedule:leader:";
    private static final Set<JobState> ACTIVE = Set.of(JobState.SCHEDULED, JobState.QUEUED, JobState.RUNNING);

    private final Broker broker;
    private final ScheduleStore store;
    private final Clock clock;
    /** This scheduler's own schedules (code, file); with {@code followStored} the stored ones join them each pass. */
    private final Map<String, Schedule> own;

    private final boolean followStored;
    private Map<String, Schedule> schedules;
    private final TickJobs jobs;
    private final String owner;
    private String leaderLock;
    private final boolean leadership;
    private final Duration leaderLease, pollInterval, grace;
    /** Touched only by the thread running passes (runDue is not meant to run concurrently with itself). */
    private final Map<String, Instant> nextFire = new HashMap<>();

    private boolean published;
    private ScheduledExecutorService loop;

    private Scheduler(Builder b) {
        this.broker = b.broker;
        this.store = new ScheduleStore(b.broker);
        this.clock = b.clock;
        this.own = Map.copyOf(b.schedules);
        this.schedules = own;
        this.followStored = b.followStored;
        this.jobs = new TickJobs(b.tasks, b.clock);
        this.owner = b.owner != null ? b.owner : defaultOwner();
        this.leadership = b.leadership;
        this.leaderLock = leaderLock(schedules.keySet());
        this.leaderLease = b.leaderLease;
        this.pollInterval = b.pollInterval;
        this.grace = b.grace;
    }

    public static Builder builder(Broker broker) {
        return new Builder(broker);
    }

    /** A scheduler on a Kyu's broker, with its clock and its tasks' default options. */
    public static Builder builder(Kyu kyu) {
        return new Builder(kyu.broker()).clock(kyu.clock()).tasks(kyu.tasks());
    }

    public String owner() {
        return owner;
    }

    /** The schedules of the latest pass (with {@code followStored}, the stored ones too). */
    public synchronized List<Schedule> schedules() {
        return schedules.values().stream()
                .sorted(java.util.Comparator.comparing(Schedule::name))
                .toList();
    }

    /** Writes this scheduler's own definitions to the broker so that other processes can list (and follow) them. */
    public void publish() {
        for (Schedule s : own.values()) store.putDefinition(s);
        published = true;
    }

    /**
     * With {@code followStored}: the stored definitions (readable ones) joined by this scheduler's own,
     * which win on a name clash. A schedule whose definition changed loses its cached next fire time, and
     * the leadership lock follows the new set of names.
     */
    private void refreshSchedules() {
        if (!followStored) return;
        var merged = new java.util.TreeMap<String, Schedule>();
        store.definitions().values().forEach(d -> {
            if (d.schedule() != null) merged.put(d.name(), d.schedule());
        });
        merged.putAll(own);
        for (var e : schedules.entrySet()) {
            if (!e.getValue().equals(merged.get(e.getKey()))) nextFire.remove(e.getKey());
        }
        nextFire.keySet().retainAll(merged.keySet());
        schedules = Map.copyOf(merged);
        String lock = leaderLock(schedules.keySet());
        if (!lock.equals(leaderLock)) {
            if (leadership) broker.lockRelease(leaderLock, owner);
            leaderLock = lock;
        }
    }

    /** One pass: enqueues every due tick and records it. Synchronous; no threads, no sleeping. */
    public synchronized Pass runDue() {
        if (!published) publish();
        refreshSchedules();
        if (leadership && !broker.lockTry(leaderLock, owner, leaderLease)) {
            nextFire.clear(); // another leads: our view of the horizons goes stale
            return new Pass(false, List.of(), 0, null);
        }
        Instant now = clock.instant();
        var ticks = new ArrayList<Pass.Tick>();
        int skipped = 0;
        Set<String> paused = null;
        for (Schedule s : schedules()) {
            Instant cached = nextFire.get(s.name());
            if (cached != null && now.isBefore(cached)) continue;
            try {
                if (paused == null) paused = store.pausedNames();
                skipped += runOne(s, now, paused.contains(s.name()), ticks);
            } catch (RuntimeException e) {
                // One schedule's trouble (a broker hiccup) must not stop the others; its horizon did not
                // move, so the next pass tries its ticks again and the unique keys keep them single.
                log.warn("schedule '{}': pass failed, will retry: {}", s.name(), Causes.oneLine(e));
                log.debug("schedule pass failed", e);
                nextFire.remove(s.name());
            }
        }
        Instant next = nextFire.values().stream().min(Instant::compareTo).orElse(null);
        return new Pass(true, ticks, skipped, next);
    }

    private int runOne(Schedule s, Instant now, boolean paused, List<Pass.Tick> out) {
        Optional<ScheduleState> read = store.state(s.name());
        if (read.isEmpty()) {
            // First sight: nothing before now is owed. Ticks from now on fire.
            store.putState(s.name(), new ScheduleState(now, null, null, now));
            nextFire.put(s.name(), s.trigger().nextAfter(now, s.zone()));
            return 0;
        }
        ScheduleState state = read.get();
        TickPlan plan = TickPlan.of(s, state.horizon(), now, grace);
        nextFire.put(s.name(), s.trigger().nextAfter(plan.horizon().isAfter(now) ? plan.horizon() : now, s.zone()));
        if (plan.isEmpty()) return 0;

        List<Instant> fire = plan.fire();
        int skipped = plan.dropped();
        if (paused) {
            skipped += fire.size();
            fire = List.of();
        } else if (s.overlap() == OverlapPolicy.SKIP && !fire.isEmpty()) {
            if (stillActive(state.lastJobId())) {
                skipped += fire.size();
                fire = List.of();
            } else if (fire.size() > 1) {
                // ticks fired together would overlap each other: only the latest runs
                skipped += fire.size() - 1;
                fire = List.of(fire.get(fire.size() - 1));
            }
        }
        Instant lastFireAt = state.lastFireAt();
        String lastJobId = state.lastJobId();
        if (!fire.isEmpty()) {
            var batch = new ArrayList<NewJob>(fire.size());
            for (Instant at : fire) batch.add(jobs.tick(s, at, now));
            List<EnqueueResult> results = broker.jobsEnqueue(EnqueueRequest.of(batch));
            for (int i = 0; i < fire.size(); i++) {
                out.add(new Pass.Tick(
                        s.name(),
                        fire.get(i),
                        results.get(i).id(),
                        results.get(i).created()));
            }
            lastFireAt = fire.get(fire.size() - 1);
            lastJobId = results.get(results.size() - 1).id();
            if (own.containsKey(s.name()))
                store.putDefinition(s); // keep the listing current even if someone deleted it meanwhile
        }
        if (plan.dropped() > 0) {
            log.info(
                    "schedule '{}': missed ticks since {} dropped by policy {}",
                    s.name(),
                    state.horizon(),
                    s.missedTicks().text());
        }
        if (skipped > plan.dropped())
            log.debug(
                    "schedule '{}': {} tick(s) not enqueued (paused or overlapping)",
                    s.name(),
                    skipped - plan.dropped());
        store.advance(s.name(), new ScheduleState(plan.horizon(), lastFireAt, lastJobId, now));
        return skipped;
    }

    private boolean stillActive(String jobId) {
        if (jobId == null) return false;
        return broker.jobGet(jobId).map(Job::state).map(ACTIVE::contains).orElse(false);
    }

    // ---- the background loop ------------------------------------------------------------------------

    /** Starts passing on a background thread; returns this. */
    public synchronized Scheduler start() {
        if (loop != null) return this;
        publish();
        // Before the loop starts (refreshSchedules belongs to the passes' thread): the count logged below
        // then includes the stored schedules a follower runs, not only its own.
        refreshSchedules();
        var l = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "kyu-beat");
            t.setDaemon(true);
            return t;
        });
        // stop() lets a pass under way finish but must not wait for (and then run) the next one.
        l.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        loop = l;
        loop.execute(this::loopOnce);
        log.info("beat started as {} with {} schedule(s) on {}", owner, schedules.size(), broker.describe());
        return this;
    }

    private void loopOnce() {
        Duration wait = pollInterval;
        try {
            Pass p = runDue();
            if (p.leader() && p.nextFireAt() != null) {
                Duration untilNext = Duration.between(clock.instant(), p.nextFireAt());
                if (untilNext.compareTo(wait) < 0) wait = untilNext.isNegative() ? Duration.ZERO : untilNext;
            }
        } catch (RuntimeException e) {
            log.warn("beat pass failed, will retry: {}", Causes.oneLine(e));
            log.debug("beat pass failed", e);
        }
        ScheduledExecutorService l = loop;
        if (l != null && !l.isShutdown()) {
            l.schedule(this::loopOnce, Math.max(10, wait.toMillis()), TimeUnit.MILLISECONDS);
        }
    }

    /** Stops the loop (a pass under way finishes) and hands leadership on. Idempotent. */
    public void stop() {
        ScheduledExecutorService l;
        synchronized (this) {
            l = loop;
            loop = null;
        }
        if (l == null) return;
        l.shutdown();
        try {
            l.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            if (leadership) broker.lockRelease(leaderLock, owner);
        } catch (RuntimeException e) {
            log.debug("could not release beat leadership: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        stop();
    }

    /**
     * Schedulers lead per set of schedule names: processes started with the same schedules share one
     * leader, while a process with other schedules is not kept idle by a leader that does not run them.
     */
    static String leaderLock(Collection<String> names) {
        var sorted = new java.util.TreeSet<>(names);
        return LEADER_LOCK_PREFIX
                + Integer.toHexString(String.join("\n", sorted).hashCode());
    }

    private static String defaultOwner() {
        return "beat@" + dev.kyu.worker.HostName.get() + ":"
                + ManagementFactory.getRuntimeMXBean().getPid() + ":"
                + UUID.randomUUID().toString().substring(0, 8);
    }

    public static final class Builder {
        private final Broker broker;
        private Clock clock = Clock.systemUTC();
        private final Map<String, Schedule> schedules = new LinkedHashMap<>();
        private TaskRegistry tasks;
        private String owner;
        private boolean leadership = true;
        private boolean followStored;
        private Duration leaderLease = Duration.ofSeconds(30);
        private Duration pollInterval = Duration.ofSeconds(1);
        private Duration grace = Duration.ofMinutes(1);

        private Builder(Broker broker) {
            this.broker = java.util.Objects.requireNonNull(broker, "broker");
        }

        public Builder clock(Clock c) {
            clock = c;
            return this;
        }

        public Builder schedule(Schedule s) {
            if (schedules.putIfAbsent(s.name(), s) != null) {
                throw new KyuException.InvalidInput("schedule '" + s.name() + "' is defined twice");
            }
            return this;
        }

        public Builder schedules(Collection<Schedule> all) {
            all.forEach(this::schedule);
            return this;
        }
        /** The tasks whose default options (queue, attempts, …) apply under the schedule's own. */
        public Builder tasks(TaskRegistry t) {
            tasks = t;
            return this;
        }
        /** This scheduler's name in the leadership lock (default: beat@HOST:PID:RANDOM). */
        public Builder owner(String o) {
            owner = o;
            return this;
        }
        /** Whether to take a leadership lock so that only one scheduler works (default true). Off, all work; ticks stay single. */
        public Builder leadership(boolean on) {
            leadership = on;
            return this;
        }
        /**
         * Also run every schedule stored in the broker (published by any scheduler), re-read each pass; this
         * is what {@code kyu worker --beat} does. Default false: only the schedules given here.
         */
        public Builder followStored(boolean on) {
            followStored = on;
            return this;
        }

        public Builder leaderLease(Duration d) {
            leaderLease = positive("leaderLease", d);
            return this;
        }

        public Builder pollInterval(Duration d) {
            pollInterval = positive("pollInterval", d);
            return this;
        }
        /** How late a tick may be and still count as on time rather than missed (default 1 minute). */
        public Builder grace(Duration d) {
            if (d == null || d.isNegative())
                throw new KyuException.InvalidInput("grace must not be negative, was " + d);
            grace = d;
            return this;
        }

        private static Duration positive(String what, Duration d) {
            if (d == null || d.isNegative() || d.isZero())
                throw new KyuException.InvalidInput(what + " must be positive, was " + d);
            return d;
        }

        public Scheduler build() {
            return new Scheduler(this);
        }
    }
}
