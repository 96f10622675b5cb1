package dev.kyu.broker.memory;

import dev.kyu.job.Job;
import dev.kyu.job.JobError;
import dev.kyu.job.JobState;
import dev.kyu.job.UniqueScope;
import dev.kyu.spi.WakeSignal;
import dev.kyu.spi.WorkerInfo;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The data of one memory store and the indexes that keep every verb off full scans: jobs by id, QUEUED
 * jobs per queue in fetch order, SCHEDULED jobs by due time, RUNNING jobs by lease expiry and finished
 * jobs by finish time. Every job moves through {@link #place}, which keeps the indexes, the per-queue
 * counts and the wake-up signals consistent. Callers hold {@link #lock} for every access.
 */
final class MemoryStore {
    /** Name given to an undecodable entry once quarantined: it names no task that could ever run. */
    static final String CORRUPT_TASK = "kyu.corrupt";

    final ReentrantLock lock = new ReentrantLock();
    /** The wake-up signals of the open brokers on this store, woken when work may have become available. */
    final Set<WakeSignal> fetchers = ConcurrentHashMap.newKeySet();
    /** Signalled when a job reached a terminal state or was deleted, for {@code jobAwait}. */
    final Condition settled = lock.newCondition();

    final HashMap<String, Slot> jobs = new HashMap<>();
    final TreeMap<String, QueueState> queues = new TreeMap<>();
    final TreeSet<Slot> scheduled = new TreeSet<>(Slot.BY_TIME);
    final TreeSet<Slot> running = new TreeSet<>(Slot.BY_TIME);
    /**
     * The RUNNING slots by id: the fence of every completion and heartbeat looks here. It holds about as
     * many entries as workers run jobs, so it stays in the CPU's cache, where a lookup in {@link #jobs}
     * (every job ever stored) misses it on each step.
     */
    final HashMap<String, Slot> runningById = new HashMap<>();

    final FinishedLog finished = new FinishedLog();
    /**
     * The finished slots whose job has a result ttl of its own, by the time it runs out. They sit in
     * {@link #finished} too (retry walks it), but the prune's finish-time walk passes over them: their
     * expiry is not in finish-time order.
     */
    final TreeSet<Slot> expiring = new TreeSet<>(Slot.BY_EXPIRY);

    final HashMap<String, UniqueHold> unique = new HashMap<>();
    final TreeMap<Instant, TreeMap<String, long[]>> stats = new TreeMap<>();
    final TreeMap<String, WorkerInfo> workers = new TreeMap<>();
    final TreeMap<String, String> kv = new TreeMap<>();
    final HashMap<String, LockHold> locks = new HashMap<>();
    private long seq;
    /** Moves on whenever stats rows are dropped, so no queue keeps counting into a dropped row. */
    private long statsGeneration;

    int references;

    /** Which job holds a unique key, and under which scope; judged lazily against the job's current state. */
    record UniqueHold(String jobId, UniqueScope scope, Instant until) {}

    record LockHold(String owner, Instant expiresAt) {}

    QueueState queue(String name) {
        return queues.computeIfAbsent(name, QueueState::new);
    }

    /** Adds a new slot, or returns null when the id is taken; a job carrying a unique key takes the key. */
    Slot insert(String id, String queue, Job job, String raw, UniqueHold hold) {
        Slot s = new Slot(id, queue(queue), seq + 1, job, raw);
        if (jobs.putIfAbsent(id, s) != null) return null;
        seq++;
        s.queueState.count(s.state(), +1);
        index(s);
        if (hold != null && job != null && job.uniqueKey() != null) unique.put(job.uniqueKey(), hold);
        return s;
    }

    /** Moves a slot to its next version, re-filing it in the index its new state belongs to. */
    void place(Slot s, Job next) {
        boolean ends = next.state().isTerminal() && !next.links().dependents().isEmpty();
        List<String> dependents = ends ? next.links().dependents() : List.of();
        if (ends) next = next.toBuilder().links(next.links().released()).build();
        unindex(s);
        QueueState q = s.queueState;
        q.count(s.state(), -1);
        s.job = next;
        q.count(next.state(), +1);
        index(s);
        if (next.state().isTerminal()) settled.signalAll();
        if (ends) release(dependents, next.finishedAt() != null ? next.finishedAt() : next.scheduledAt());
    }

    /** Lowers the wait count of each BLOCKED dependent by one; one that reaches zero is QUEUED, due at {@code now}. */
    private void release(List<String> dependents, Instant now) {
        boolean queued = false;
        for (String id : dependents) {
            Slot d = jobs.get(id);
            if (d == null || d.job == null || d.state() != JobState.BLOCKED) continue;
            int left = d.job.links().waitsFor() - 1;
            var b = d.job.toBuilder().links(d.job.links().withWaitsFor(Math.max(0, left)));
            if (left <= 0) {
                b.state(JobState.QUEUED).scheduledAt(now);
                queued = true;
            }
            place(d, b.build());
        }
        if (queued) wakeFetchers();
    }

    /** Wakes every blocked fetch on this store: enqueue, promote, retry, release or resume may have made work available. */
    void wakeFetchers() {
        for (WakeSignal s : fetchers) s.wake();
    }

    /** Deletes a job for good (delete, purge, prune): its dependents are released as if it had ended. */
    void delete(Slot s, Instant now) {
        List<String> dependents = s.job == null ? List.of() : s.job.links().dependents();
        remove(s);
        if (!dependents.isEmpty()) release(dependents, now);
    }

    /** Takes a slot out without releasing anything: only for undoing a batch that was never visible. */
    void remove(Slot s) {
        unindex(s);
        s.queueState.count(s.state(), -1);
        jobs.remove(s.id);
        if (s.job != null && s.job.uniqueKey() != null) {
            UniqueHold h = unique.get(s.job.uniqueKey());
            // a PERIOD key outlives its job on purpose: "for the period, whatever the state"
            if (h != null && h.jobId().equals(s.id) && h.scope() != UniqueScope.PERIOD)
                unique.remove(s.job.uniqueKey());
        }
        settled.signalAll();
    }

    /** Turns an undecodable entry into a FAILED job that keeps the raw text as its args. */
    Job quarantine(Slot s, Instant now) {
        Job failed = Job.builder()
                .id(s.id)
                .task(CORRUPT_TASK)
                .queue(s.queue)
                .args(s.raw)
                .state(JobState.FAILED)
                .maxAttempts(1)
                .enqueuedAt(now)
                .scheduledAt(now)
                .finishedAt(now)
                .errors(List.of(JobError.reason(
                        0,
                        JobError.CORRUPT,
                        "stored entry could not be decoded; its raw data is kept as the args",
                        now)))
                .build();
        place(s, failed);
        return failed;
    }

    /**
     * Moves a job that breaks the {@link dev.kyu.job.JobContract} to FAILED with a {@link JobError#CORRUPT}
     * error naming what it breaks; every field it held is kept as it was.
     */
    Job quarantine(Slot s, List<String> broken, Instant now) {
        Job j = s.job;
        var error = JobError.reason(
                Math.max(0, j.attempt()),
                JobError.CORRUPT,
                "job breaks the stored-job contract: " + String.join("; ", broken),
                now);
        Job failed = j.toBuilder()
                .state(JobState.FAILED)
                .finishedAt(now)
                .leaseExpiresAt(null)
                .workerId(null)
                .cancelRequested(false)
                .errors(Job.appendError(j.errors(), error))
                .build();
        place(s, failed);
        return failed;
    }

    /** The job of a slot, quarantining it first when it cannot be decoded. */
    Job decode(Slot s, Instant now) {
        return s.job != null ? s.job : quarantine(s, now);
    }

    /** The id of the job whose unique key is still in force at {@code now}, or null. */
    String liveHolder(String key, Instant now) {
        UniqueHold h = unique.get(key);
        if (h == null) return null;
        if (h.scope() == UniqueScope.PERIOD) return now.isBefore(h.until()) ? h.jobId() : null;
        Slot s = jobs.get(h.jobId());
        if (s == null) return null;
        JobState st = s.state();
        boolean live = switch (h.scope()) {
            case QUEUED -> JobState.WAITING.contains(st);
            case ACTIVE -> JobState.WAITING.contains(st) || st == JobState.RUNNING;
            case PERIOD -> true;
        };
        return live ? h.jobId() : null;
    }

    /** Counts an outcome in the queue's row of the current minute, found once per minute (see {@link QueueState#statsRow}). */
    void countOutcome(Instant now, QueueState q, int which) {
        long minute = Math.floorDiv(now.getEpochSecond(), 60);
        if (q.statsRow == null || q.statsMinute != minute || q.statsGeneration != statsGeneration) {
            q.statsRow = stats.computeIfAbsent(Instant.ofEpochSecond(minute * 60), m -> new TreeMap<>())
                    .computeIfAbsent(q.name, k -> new long[3]);
            q.statsMinute = minute;
            q.statsGeneration = statsGeneration;
        }
        q.statsRow[which]++;
    }

    /** Drops the outcome counts of minutes before {@code cut}; rows the queues hold on to are looked up again. */
    void pruneStats(Instant cut) {
        var doomed = stats.headMap(cut);
        if (doomed.isEmpty()) return;
        doomed.clear();
        statsGeneration++;
    }

    private void index(Slot s) {
        Job j = s.job;
        switch (s.state()) {
            case BLOCKED -> {} // found by id only, until its last parent releases it
            case SCHEDULED -> {
                s.sortAt = j.scheduledAt();
                scheduled.add(s);
            }
            case QUEUED -> {
                Instant place = s.placeInLine;
                s.placeInLine = null;
                s.sortAt = j == null
                        ? Instant.EPOCH
                        : place != null && place.isBefore(j.scheduledAt()) ? place : j.scheduledAt();
                s.sortPriority = j == null ? Integer.MAX_VALUE : j.priority();
                s.queueState.addReady(s);
            }
            case RUNNING -> {
                s.placeInLine = null;
                s.sortAt = j.leaseExpiresAt();
                running.add(s);
                runningById.put(s.id, s);
            }
            case SUCCEEDED, FAILED, CANCELLED -> {
                s.placeInLine = null;
                finished.add(s, j.finishedAt());
                if (j.resultTtl() != null) {
                    s.expiresAt = j.finishedAt().plus(j.resultTtl());
                    expiring.add(s);
                }
            }
        }
    }

    private void unindex(Slot s) {
        switch (s.state()) {
            case BLOCKED -> {}
            case SCHEDULED -> scheduled.remove(s);
            case QUEUED -> s.queueState.removeReady(s);
            case RUNNING -> {
                running.remove(s);
                runningById.remove(s.id);
            }
            case SUCCEEDED, FAILED, CANCELLED -> {
                finished.remove(s);
                if (s.expiresAt != null) {
                    expiring.remove(s);
                    s.expiresAt = null;
                }
            }
        }
    }
}
