package dev.kyu.broker.memory;

import dev.kyu.KyuException;
import dev.kyu.job.Job;
import dev.kyu.job.JobContract;
import dev.kyu.job.JobError;
import dev.kyu.job.JobState;
import dev.kyu.job.Lease;
import dev.kyu.job.UniqueScope;
import dev.kyu.spi.BlockingFetch;
import dev.kyu.spi.Broker;
import dev.kyu.spi.CancelResult;
import dev.kyu.spi.Capability;
import dev.kyu.spi.ClaimRequest;
import dev.kyu.spi.Completion;
import dev.kyu.spi.EnqueueRequest;
import dev.kyu.spi.EnqueueResult;
import dev.kyu.spi.FetchRequest;
import dev.kyu.spi.JobQuery;
import dev.kyu.spi.LeaseExtension;
import dev.kyu.spi.LeaseReport;
import dev.kyu.spi.NewJob;
import dev.kyu.spi.Outcome;
import dev.kyu.spi.PruneRequest;
import dev.kyu.spi.QueueInfo;
import dev.kyu.spi.RescueResult;
import dev.kyu.spi.RetryRequest;
import dev.kyu.spi.StatsBucket;
import dev.kyu.spi.WakeSignal;
import dev.kyu.spi.WorkerInfo;
import dev.kyu.task.Task;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;

/**
 * The {@code memory:} engine: the reference implementation of the broker SPI, in process, for tests,
 * demos and benchmarks. It keeps every promise of the SPI exactly and judges all time by the injected
 * {@link Clock} ({@link Capability#INJECTABLE_CLOCK}).
 *
 * <p>Stores: {@code memory:} opens a fresh store that lives as long as this broker. {@code memory:NAME}
 * opens the store of that name, shared by every broker opened with the same name in this JVM while at
 * least one of them is open (so a worker and a dashboard in one process can share it); the store is
 * dropped when the last of them closes. Nothing is ever written to disk.
 *
 * <p>Concurrency: one lock guards a store; every verb is a short critical section over indexed
 * structures (see {@link MemoryStore}). A blocking fetch is the core's {@link BlockingFetch} over a claim
 * that also promotes due delayed jobs; it waits on this broker's {@link WakeSignal}, which every broker on
 * the store wakes on enqueue, promotion, retry, release and resume; {@link #jobAwait} waits on a condition
 * signalled when a job ends.
 *
 * <p>Choices where the SPI leaves room: fetch also promotes due SCHEDULED jobs itself, so delays work
 * without a maintenance loop; an interrupted fetch returns an empty list and keeps the interrupt flag
 * set; unique keys are global across queues and judged by the scope of the job that holds the key;
 * a lease that expired but was not yet rescued can still be extended or completed by its holder;
 * CANCELLED jobs are pruned with the succeeded retention.
 */
public final class MemoryBroker implements Broker {
    private static final Set<Capability> CAPABILITIES = EnumSet.of(Capability.INJECTABLE_CLOCK, Capability.JOB_LINKS);
    private static final int SUCCEEDED = 0, FAILED = 1, RETRIED = 2;
    private static final Duration IDLE_POLL = Duration.ofSeconds(1);

    private final MemoryStore store;
    private final String name;
    private final Clock clock;
    private final WakeSignal signal = new WakeSignal();
    private final BlockingFetch fetching = new BlockingFetch(new FetchSource(), signal);
    private volatile boolean closed;

    MemoryBroker(MemoryStore store, String name, Clock clock) {
        this.store = store;
        this.name = name;
        this.clock = clock;
        store.fetchers.add(signal);
    }

    /** Opens a broker on a fresh, private store. */
    public static MemoryBroker open(Clock clock) {
        return MemoryStores.open("", clock);
    }

    /** The store, for test fixtures in this package that plant entries no enqueue would write. */
    MemoryStore store() {
        return store;
    }

    // ---- identity ----------------------------------------------------------------------------------

    @Override
    public String describe() {
        return "memory:" + name;
    }

    @Override
    public Set<Capability> capabilities() {
        return CAPABILITIES;
    }

    @Override
    public Instant now() {
        return clock.instant();
    }

    // ---- producing ---------------------------------------------------------------------------------

    @Override
    public List<EnqueueResult> jobsEnqueue(EnqueueRequest request) {
        if (request.connection() != null) {
            throw new KyuException.InvalidInput(
                    "the memory: engine cannot enqueue inside a JDBC transaction; pass no connection");
        }
        return withLock(() -> {
            Instant now = now();
            int n = request.jobs().size();
            // Unique keys first, without touching the store; then store, undoing the batch on a taken id.
            var results = new ArrayList<EnqueueResult>(n);
            var create = new boolean[n];
            var batchKeys = new HashMap<String, String>();
            for (int i = 0; i < n; i++) {
                NewJob j = request.jobs().get(i);
                if (j.uniqueKey() != null) {
                    String holder = batchKeys.get(j.uniqueKey());
                    if (holder == null) holder = store.liveHolder(j.uniqueKey(), now);
                    if (holder != null) {
                        results.add(new EnqueueResult(holder, false));
                        continue;
                    }
                    batchKeys.put(j.uniqueKey(), j.id());
                }
                create[i] = true;
                results.add(new EnqueueResult(j.id(), true));
            }
            var replacedHolds = new HashMap<String, MemoryStore.UniqueHold>();
            for (String key : batchKeys.keySet()) replacedHolds.put(key, store.unique.get(key));
            var stored = new ArrayList<Slot>(n);
            for (int i = 0; i < n; i++) {
                if (!create[i]) continue;
                NewJob j = request.jobs().get(i);
                var hold = j.uniqueKey() == null
                        ? null
                        : new MemoryStore.UniqueHold(
                                j.id(),
                                j.uniqueScope(),
                                j.uniqueScope() == UniqueScope.PERIOD ? now.plus(j.uniquePeriod()) : null);
                Slot s = store.insert(j.id(), j.queue(), newJob(j, now), null, hold);
                if (s == null) {
                    undo(stored, replacedHolds);
                    throw new KyuException.InvalidInput(
                            "job id " + j.id() + " already exists; nothing of this batch was stored");
                }
                stored.add(s);
            }
            if (!stored.isEmpty()) store.wakeFetchers();
            return results;
        });
    }

    /** Takes a half-stored batch back out, unique keys included, so a refused batch leaves no trace. */
    private void undo(List<Slot> stored, Map<String, MemoryStore.UniqueHold> replacedHolds) {
        for (int i = stored.size() - 1; i >= 0; i--) store.remove(stored.get(i));
        replacedHolds.forEach((key, previous) -> {
            if (previous == null) store.unique.remove(key);
            else store.unique.put(key, previous);
        });
    }

    private static Job newJob(NewJob j, Instant now) {
        Instant due =
                j.runAt() != null ? j.runAt() : j.delay() != null && j.delay().isPositive() ? now.plus(j.delay()) : now;
        return Moves.stored(j, now, due);
    }

    // ---- working -----------------------------------------------------------------------------------

    @Override
    public List<Job> jobsFetch(FetchRequest request) {
        return fetching.fetch(request);
    }

    @Override
    public List<Job> jobsClaim(ClaimRequest request) {
        if (closed) return List.of();
        return withLock(() -> takeDue(request, now()));
    }

    /** What the core's blocking fetch needs from this engine: claims promote due jobs themselves. */
    private final class FetchSource implements BlockingFetch.Source {
        @Override
        public List<Job> claim(ClaimRequest request) {
            return jobsClaim(request);
        }

        @Override
        public Optional<Duration> untilNextDue(List<String> queues) {
            return withLock(() -> store.scheduled.isEmpty()
                    ? Optional.<Duration>empty()
                    : Optional.of(Duration.between(now(), store.scheduled.first().sortAt)));
        }

        @Override
        public int promoteDue(List<String> queues, int limit) {
            return jobsPromoteDue(limit);
        }

        @Override
        public Duration pollInterval() {
            return IDLE_POLL; // every change in this JVM wakes the signal; the poll only bounds a lost one
        }
    }

    private List<Job> takeDue(ClaimRequest r, Instant now) {
        promote(now, Integer.MAX_VALUE);
        var out = new ArrayList<Job>(Math.min(r.limit(), 64));
        Instant leaseEnd = now.plus(r.leaseDuration());
        for (String qn : r.queues()) {
            QueueState q = store.queues.get(qn);
            if (q == null || q.paused) continue;
            while (out.size() < r.limit()) {
                Slot s = q.firstReady();
                if (s == null) break;
                if (!s.decodable()) {
                    store.quarantine(s, now);
                    continue;
                }
                List<String> broken = JobContract.violations(s.job);
                if (!broken.isEmpty()) {
                    store.quarantine(s, broken, now);
                    continue;
                }
                Job run = Moves.leased(s.job, r.workerId(), now, leaseEnd);
                store.place(s, run);
                out.add(run);
            }
            if (out.size() >= r.limit()) break;
        }
        return out;
    }

    @Override
    public LeaseReport leasesExtend(LeaseExtension extension) {
        return withLock(() -> {
            Instant until = now().plus(extension.leaseDuration());
            var lost = new HashSet<String>();
            var cancel = new HashSet<String>();
            for (Lease lease : extension.leases()) {
                Slot s = held(lease);
                if (s == null || !lease.workerId().equals(extension.workerId())) {
                    lost.add(lease.jobId());
                    continue;
                }
                store.place(s, Moves.extended(s.job, until, extension.progress().get(lease.jobId())));
                if (s.job.cancelRequested()) cancel.add(lease.jobId());
            }
            return new LeaseReport(lost, cancel);
        });
    }

    /** The slot a lease still holds: RUNNING under that worker and attempt. The fence of every worker verb. */
    private Slot held(Lease lease) {
        Slot s = store.runningById.get(lease.jobId());
        if (s == null) return null;
        Job j = s.job;
        return j.state() == JobState.RUNNING
                        && lease.queue().equals(j.queue())
                        && lease.workerId().equals(j.workerId())
                        && j.attempt() == lease.attempt()
                ? s
                : null;
    }

    @Override
    public List<Boolean> jobsComplete(List<Completion> completions) {
        return withLock(() -> {
            Instant now = now();
            var applied = new ArrayList<Boolean>(completions.size());
            boolean wake = false;
            for (Completion c : completions) {
                Slot s = held(c.lease());
                if (s == null) {
                    applied.add(false);
                    continue;
                }
                wake |= complete(s, c.outcome(), now);
                applied.add(true);
            }
            if (wake) store.wakeFetchers();
            return applied;
        });
    }

    /** Applies one outcome; true when the job went back to waiting (fetchers may want it). */
    private boolean complete(Slot s, Outcome outcome, Instant now) {
        Job j = s.job;
        switch (outcome) {
            case Outcome.Succeeded ok -> {
                store.place(s, Moves.succeeded(j, ok.result(), now));
                store.countOutcome(now, s.queueState, SUCCEEDED);
            }
            case Outcome.Dead dead -> {
                store.place(
                        s,
                        unleased(j)
                                .state(JobState.FAILED)
                                .errors(Job.appendError(j.errors(), dead.error()))
                                .finishedAt(now)
                                .build());
                store.countOutcome(now, s.queueState, FAILED);
            }
            case Outcome.Cancelled c ->
                store.place(
                        s,
                        unleased(j)
                                .state(JobState.CANCELLED)
                                .errors(Job.appendError(j.errors(), c.reason()))
                                .finishedAt(now)
                                .build());
            case Outcome.Retry retry -> {
                store.countOutcome(now, s.queueState, RETRIED);
                var errors = Job.appendError(j.errors(), retry.error());
                if (j.cancelRequested()) { // the user asked to stop it: do not run it again
                    store.place(
                            s,
                            unleased(j)
                                    .state(JobState.CANCELLED)
                                    .errors(errors)
                                    .finishedAt(now)
                                    .build());
                    return false;
                }
                store.place(
                        s,
                        unleased(j)
                                .state(JobState.SCHEDULED)
                                .errors(errors)
                                .workerId(null)
                                .scheduledAt(now.plus(retry.delay().isNegative() ? Duration.ZERO : retry.delay()))
                                .build());
                return true;
            }
            case Outcome.Released rel -> {
                if (j.cancelRequested()) {
                    store.place(
                            s,
                            unleased(j)
                                    .state(JobState.CANCELLED)
                                    .finishedAt(now)
                                    .build());
                    return false;
                }
                boolean later = rel.delay().isPositive();
                if (later) s.placeInLine = j.scheduledAt().isBefore(now) ? j.scheduledAt() : now;
                store.place(
                        s,
                        unleased(j)
                                .state(later ? JobState.SCHEDULED : JobState.QUEUED)
                                .attempt(Math.max(0, j.attempt() - 1))
                                .workerId(null)
                                .scheduledAt(later ? now.plus(rel.delay()) : j.scheduledAt())
                                .build());
                return true;
            }
        }
        return false;
    }

    private static Job.Builder unleased(Job j) {
        return j.toBuilder().leaseExpiresAt(null);
    }

    // ---- maintenance -------------------------------------------------------------------------------

    @Override
    public int jobsPromoteDue(int limit) {
        return withLock(() -> {
            sweepBeyondRange(now());
            int n = promote(now(), limit);
            if (n > 0) store.wakeFetchers();
            return n;
        });
    }

    @Override
    public int jobsAge(String queue, Instant dueBefore, int ceiling, int limit) {
        return withLock(() -> {
            QueueState q = store.queues.get(queue);
            if (q == null || limit < 1) return 0;
            var due = new ArrayList<Slot>();
            for (Slot s : q.readySlots()) {
                if (s.job != null && s.job.priority() < ceiling && s.sortAt.isBefore(dueBefore)) due.add(s);
            }
            due.sort(Slot.BY_TIME);
            int n = Math.min(limit, due.size());
            for (int i = 0; i < n; i++) {
                Slot s = due.get(i);
                store.place(s, s.job.toBuilder().priority(s.job.priority() + 1).build());
            }
            return n;
        });
    }

    /** Quarantines SCHEDULED jobs due past the range any enqueue accepts: no promotion could ever reach them. */
    private void sweepBeyondRange(Instant now) {
        for (int n = 0; n < 100 && !store.scheduled.isEmpty(); n++) {
            Slot s = store.scheduled.last();
            if (!JobContract.beyondRange(s.sortAt)) break;
            store.quarantine(s, JobContract.violations(s.job), now);
        }
    }

    /**
     * Quarantines QUEUED jobs of queues whose names enqueue would refuse: no worker can ask for such a
     * queue, so they would wait for ever (their delayed jobs join them here once due).
     */
    private void sweepUnreachableQueues(Instant now) {
        for (QueueState q : store.queues.values()) {
            if (Task.isValidName(q.name)) continue;
            for (int n = 0; n < 100; n++) {
                Slot s = q.firstReady();
                if (s == null) break;
                if (s.decodable()) store.quarantine(s, JobContract.violations(s.job), now);
                else store.quarantine(s, now);
            }
        }
    }

    private int promote(Instant now, int limit) {
        int n = 0;
        while (n < limit && !store.scheduled.isEmpty()) {
            Slot s = store.scheduled.first();
            if (s.sortAt.isAfter(now)) break;
            store.place(s, s.job.toBuilder().state(JobState.QUEUED).build());
            n++;
        }
        return n;
    }

    @Override
    public RescueResult leasesRescueExpired(int limit) {
        return withLock(() -> {
            Instant now = now();
            var requeued = new ArrayList<String>();
            var failed = new ArrayList<String>();
            var cancelled = new ArrayList<String>();
            while (requeued.size() + failed.size() + cancelled.size() < limit && !store.running.isEmpty()) {
                Slot s = store.running.first();
                if (s.sortAt.isAfter(now)) break;
                Job j = s.job;
                var errors = Job.appendError(
                        j.errors(),
                        JobError.reason(
                                j.attempt(),
                                JobError.WORKER_LOST,
                                "lease of worker " + j.workerId() + " expired at " + j.leaseExpiresAt()
                                        + " without a heartbeat",
                                now));
                var b = j.toBuilder().errors(errors).leaseExpiresAt(null).workerId(null);
                if (j.cancelRequested()) {
                    store.place(s, b.state(JobState.CANCELLED).finishedAt(now).build());
                    cancelled.add(s.id);
                } else if (j.attempt() >= j.maxAttempts()) {
                    store.place(s, b.state(JobState.FAILED).finishedAt(now).build());
                    failed.add(s.id);
                } else {
                    store.place(s, b.state(JobState.QUEUED).build());
                    requeued.add(s.id);
                }
            }
            if (!requeued.isEmpty()) store.wakeFetchers();
            return new RescueResult(requeued, failed, cancelled);
        });
    }

    @Override
    public int jobsPrune(PruneRequest request) {
        return withLock(() -> {
            Instant now = now();
            sweepUnreachableQueues(now);
            var doomed = new ArrayList<Slot>();
            for (Slot s : store.expiring) {
                if (doomed.size() >= request.limit() || !s.expiresAt.isBefore(now)) break;
                if (!keptWith(s)) doomed.add(s);
            }
            for (Slot s : store.finished) {
                if (doomed.size() >= request.limit()) break;
                if (s.expiresAt != null) continue; // judged by its own ttl, above
                if (keptWith(s)) continue;
                Duration keep = s.state() == JobState.FAILED ? request.failedRetention() : request.succeededRetention();
                if (keep != null && s.sortAt.isBefore(now.minus(keep))) doomed.add(s);
                // finished is ordered by finish time: past the longer retention's cut-off nothing more is due
                if (!s.sortAt.isBefore(now.minus(minRetention(request)))) break;
            }
            doomed.forEach(s -> store.delete(s, now));
            if (request.statsRetention() != null) store.pruneStats(now.minus(request.statsRetention()));
            if (request.workerRetention() != null) {
                Instant cut = now.minus(request.workerRetention());
                store.workers
                        .values()
                        .removeIf(
                                w -> w.heartbeatAt() == null || w.heartbeatAt().isBefore(cut));
            }
            store.unique
                    .values()
                    .removeIf(h -> h.scope() == UniqueScope.PERIOD
                            && !now.isBefore(h.until())
                            && !store.jobs.containsKey(h.jobId()));
            return doomed.size();
        });
    }

    /** True while the job this one is retained with still exists (a workflow step and its workflow). */
    private boolean keptWith(Slot s) {
        String with = s.job == null ? null : s.job.links().retainWith();
        return with != null && !with.equals(s.id) && store.jobs.containsKey(with);
    }

    private static Duration minRetention(PruneRequest r) {
        Duration a = r.succeededRetention(), b = r.failedRetention();
        if (a == null) return b == null ? Duration.ZERO : b;
        if (b == null) return a;
        return a.compareTo(b) <= 0 ? a : b;
    }

    // ---- control -----------------------------------------------------------------------------------

    @Override
    public List<CancelResult> jobsCancel(List<String> ids) {
        return withLock(() -> {
            Instant now = now();
            var out = new ArrayList<CancelResult>(ids.size());
            for (String id : ids) {
                Slot s = store.jobs.get(id);
                if (s == null) {
                    out.add(CancelResult.NOT_FOUND);
                    continue;
                }
                Job j = store.decode(s, now);
                switch (j.state()) {
                    case BLOCKED, SCHEDULED, QUEUED -> {
                        store.place(
                                s,
                                j.toBuilder()
                                        .state(JobState.CANCELLED)
                                        .finishedAt(now)
                                        .build());
                        out.add(CancelResult.CANCELLED);
                    }
                    case RUNNING -> {
                        if (!j.cancelRequested())
                            store.place(s, j.toBuilder().cancelRequested(true).build());
                        out.add(CancelResult.CANCEL_REQUESTED);
                    }
                    default -> out.add(CancelResult.ALREADY_FINISHED);
                }
            }
            return out;
        });
    }

    @Override
    public int jobsRetry(RetryRequest request) {
        return withLock(() -> {
            Instant now = now();
            var targets = new ArrayList<Slot>();
            if (request.ids().isEmpty()) {
                for (Slot s : store.finished) {
                    if (s.state() == JobState.FAILED
                            && (request.queue() == null || request.queue().equals(s.queue))) targets.add(s);
                }
            } else {
                for (String id : new LinkedHashSet<>(request.ids())) {
                    Slot s = store.jobs.get(id);
                    if (s != null && (s.state() == JobState.FAILED || s.state() == JobState.CANCELLED)) targets.add(s);
                }
            }
            for (Slot s : targets) {
                store.place(
                        s,
                        s.job.toBuilder()
                                .state(JobState.QUEUED)
                                .attempt(0)
                                .scheduledAt(now)
                                .startedAt(null)
                                .finishedAt(null)
                                .leaseExpiresAt(null)
                                .workerId(null)
                                .result(null)
                                .cancelRequested(false)
                                .build());
            }
            if (!targets.isEmpty()) store.wakeFetchers();
            return targets.size();
        });
    }

    @Override
    public int jobsDelete(List<String> ids) {
        return withLock(() -> {
            Instant now = now();
            int n = 0;
            for (String id : new LinkedHashSet<>(ids)) {
                Slot s = store.jobs.get(id);
                if (s == null || s.state() == JobState.RUNNING) continue;
                store.delete(s, now);
                n++;
            }
            return n;
        });
    }

    @Override
    public int queuePurge(String queue) {
        Objects.requireNonNull(queue, "queue");
        return withLock(() -> {
            QueueState q = store.queues.get(queue);
            if (q == null) return 0;
            var doomed = new ArrayList<Slot>();
            q.readySlots().forEach(doomed::add);
            for (Slot s : store.scheduled) if (s.queue.equals(queue)) doomed.add(s);
            for (Slot s : store.jobs.values()) if (s.queueState == q && s.state() == JobState.BLOCKED) doomed.add(s);
            Instant now = now();
            doomed.forEach(s -> {
                if (store.jobs.get(s.id) == s) store.delete(s, now);
            });
            return doomed.size();
        });
    }

    @Override
    public void queuePause(String queue, boolean paused) {
        Objects.requireNonNull(queue, "queue");
        withLock(() -> {
            store.queue(queue).paused = paused;
            if (!paused) store.wakeFetchers();
            return null;
        });
    }

    // ---- queries -----------------------------------------------------------------------------------

    @Override
    public Optional<Job> jobGet(String id) {
        if (id == null) return Optional.empty();
        return withLock(() -> {
            Slot s = store.jobs.get(id);
            return s == null ? Optional.empty() : Optional.of(store.decode(s, now()));
        });
    }

    @Override
    public List<Job> jobsGet(List<String> ids) {
        return withLock(() -> {
            Instant now = now();
            var out = new ArrayList<Job>(ids.size());
            for (String id : ids) {
                Slot s = id == null ? null : store.jobs.get(id);
                if (s != null) out.add(store.decode(s, now));
            }
            return out;
        });
    }

    @Override
    public List<Job> jobsList(JobQuery query) {
        return withLock(() -> {
            Instant now = now();
            int keep = query.offset() + query.limit();
            // the newest `keep` matches, by id; the heap's head is the oldest of them
            var newest = new PriorityQueue<Job>(Comparator.comparing(Job::id));
            for (Slot s : store.jobs.values()) {
                Job j = store.decode(s, now);
                if (!matches(j, query)) continue;
                if (newest.size() < keep) newest.add(j);
                else if (j.id().compareTo(newest.peek().id()) > 0) {
                    newest.poll();
                    newest.add(j);
                }
            }
            var sorted = new ArrayList<>(newest);
            sorted.sort(Comparator.comparing(Job::id).reversed());
            return sorted.size() <= query.offset()
                    ? List.of()
                    : List.copyOf(sorted.subList(query.offset(), sorted.size()));
        });
    }

    private static boolean matches(Job j, JobQuery q) {
        if (q.after() != null && j.id().compareTo(q.after()) >= 0) return false;
        if (q.state() != null && j.state() != q.state()) return false;
        if (q.queue() != null && !j.queue().equals(q.queue())) return false;
        if (q.task() != null && !j.task().equals(q.task())) return false;
        if (q.text() == null || q.text().isEmpty()) return true;
        String t = q.text().toLowerCase(java.util.Locale.ROOT); // any case, as on every engine
        JobError last = j.lastError();
        return has(j.id(), t) || has(j.task(), t) || has(j.args(), t) || (last != null && has(last.message(), t));
    }

    private static boolean has(String text, String lowerNeedle) {
        return text != null && text.toLowerCase(java.util.Locale.ROOT).contains(lowerNeedle);
    }

    @Override
    public List<QueueInfo> queuesList() {
        return withLock(() -> {
            var out = new ArrayList<QueueInfo>();
            for (QueueState q : store.queues.values()) {
                if (q.total() == 0 && !q.paused) continue;
                out.add(new QueueInfo(q.name, q.paused, q.counts(), q.oldestReady()));
            }
            return out;
        });
    }

    @Override
    public Map<JobState, Long> queueCounts(String queue) {
        return withLock(() -> {
            QueueState q = store.queues.get(queue);
            return q == null
                    ? new QueueInfo(queue, false, null, null).counts()
                    : new QueueInfo(queue, q.paused, q.counts(), null).counts();
        });
    }

    @Override
    public List<StatsBucket> statsHistory(Instant since, String queue) {
        return withLock(() -> {
            var out = new ArrayList<StatsBucket>();
            Instant from = since == null ? Instant.EPOCH : since.truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
            for (var minute : store.stats.tailMap(from, true).entrySet()) {
                for (var q : minute.getValue().entrySet()) {
                    if (queue != null && !queue.equals(q.getKey())) continue;
                    long[] c = q.getValue();
                    out.add(new StatsBucket(minute.getKey(), q.getKey(), c[SUCCEEDED], c[FAILED], c[RETRIED]));
                }
            }
            return out;
        });
    }

    @Override
    public Optional<Job> jobAwait(String id, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        store.lock.lock();
        try {
            while (true) {
                Slot s = store.jobs.get(id);
                if (s == null) return Optional.empty();
                Job j = store.decode(s, now());
                long left = deadline - System.nanoTime();
                if (j.state().isTerminal() || left <= 0 || closed) return Optional.of(j);
                store.settled.awaitNanos(left);
            }
        } finally {
            store.lock.unlock();
        }
    }

    // ---- worker registry ---------------------------------------------------------------------------

    @Override
    public void workerHeartbeat(WorkerInfo info) {
        Objects.requireNonNull(info.id(), "worker id");
        withLock(() -> store.workers.put(info.id(), info.withHeartbeatAt(now())));
    }

    @Override
    public List<WorkerInfo> workersList() {
        return withLock(() -> List.copyOf(store.workers.values()));
    }

    @Override
    public void workerRemove(String workerId) {
        withLock(() -> store.workers.remove(workerId));
    }

    // ---- small shared state ------------------------------------------------------------------------

    @Override
    public Optional<String> kvGet(String key) {
        return withLock(() -> Optional.ofNullable(store.kv.get(key)));
    }

    @Override
    public void kvPut(String key, String value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        withLock(() -> store.kv.put(key, value));
    }

    @Override
    public void kvDelete(String key) {
        withLock(() -> store.kv.remove(key));
    }

    @Override
    public boolean kvCompareAndSet(String key, String expected, String value) {
        Objects.requireNonNull(key, "key");
        return withLock(() -> {
            if (!Objects.equals(store.kv.get(key), expected)) return false;
            if (value == null) store.kv.remove(key);
            else store.kv.put(key, value);
            return true;
        });
    }

    @Override
    public Map<String, String> kvList(String prefix) {
        return withLock(() -> {
            var out = new TreeMap<String, String>();
            for (var e : store.kv.tailMap(prefix, true).entrySet()) {
                if (!e.getKey().startsWith(prefix)) break;
                out.put(e.getKey(), e.getValue());
            }
            return out;
        });
    }

    @Override
    public boolean lockTry(String lockName, String owner, Duration ttl) {
        Objects.requireNonNull(owner, "owner");
        return withLock(() -> {
            Instant now = now();
            var hold = store.locks.get(lockName);
            if (hold != null && !hold.owner().equals(owner) && now.isBefore(hold.expiresAt())) return false;
            store.locks.put(lockName, new MemoryStore.LockHold(owner, now.plus(ttl)));
            return true;
        });
    }

    @Override
    public void lockRelease(String lockName, String owner) {
        withLock(
                () -> store.locks.computeIfPresent(lockName, (k, h) -> h.owner().equals(owner) ? null : h));
    }

    // ---- lifecycle ---------------------------------------------------------------------------------

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        store.fetchers.remove(signal);
        signal.close();
        store.lock.lock();
        try {
            store.settled.signalAll();
        } finally {
            store.lock.unlock();
        }
        MemoryStores.release(name, store);
    }

    @Override
    public String toString() {
        return describe();
    }

    private <T> T withLock(java.util.function.Supplier<T> action) {
        if (closed) throw new KyuException.BrokerUnavailable("broker " + describe() + " is closed", null);
        store.lock.lock();
        try {
            return action.get();
        } finally {
            store.lock.unlock();
        }
    }
}
