package dev.kyu.spi;

import dev.kyu.job.Job;
import dev.kyu.job.JobState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The one place that stores jobs and hands them out (docs/conformance.md). Everything above this interface —
 * client, worker, scheduler, dashboard, CLI — works the same on every engine.
 *
 * <h2>Contract every engine keeps</h2>
 * <ul>
 *   <li>Every state change is atomic in the engine (a transaction, a Lua script). No job is lost once
 *       {@link #jobsEnqueue} returned.</li>
 *   <li>{@link #jobsComplete} and {@link #leasesExtend} are fenced by {@link dev.kyu.job.Lease}: a lease
 *       whose job is no longer RUNNING under that worker and attempt changes nothing.</li>
 *   <li>Maintenance verbs are idempotent and safe to run from every process at once; one undecodable row
 *       never stops a sweep (it is moved to FAILED with a {@code kyu.CorruptJob} reason and its raw data kept).</li>
 *   <li>Errors: engine faults become {@link dev.kyu.KyuException.BrokerUnavailable}; bad arguments
 *       {@link IllegalArgumentException} or {@link dev.kyu.KyuException.InvalidInput}.</li>
 *   <li>Links ({@link dev.kyu.job.JobLinks}): a job stored with {@code waitsFor > 0} is BLOCKED and is never
 *       fetched, promoted or rescued; a job that ends (SUCCEEDED, FAILED or CANCELLED, by any verb: outcome, rescue,
 *       cancel, quarantine) or is deleted (by id or by a purge) lowers the count of each of its dependents that is
 *       BLOCKED by one, in the same atomic step, and a dependent whose count reaches zero becomes QUEUED, due at the
 *       engine's now; the job's dependents are then cleared, so it releases them once in its life. A fenced-out
 *       outcome changes nothing, so a job completed twice releases its dependents once. A terminal job whose
 *       {@code retainWith} job still exists is not pruned. Per-state counts include BLOCKED.</li>
 *   <li>Time: due times, lease expiry and {@link #now()} come from one clock — the engine's server, or
 *       the injected {@link BrokerConfig#clock()} for engines with {@link Capability#INJECTABLE_CLOCK}.</li>
 * </ul>
 * The conformance suite in {@code kyu-testkit} is the executable form of this contract.
 */
public interface Broker extends AutoCloseable {

    // ---- identity ----------------------------------------------------------------------------------

    /** The URL this broker was opened with, password redacted. */
    String describe();

    Set<Capability> capabilities();

    /** The engine's clock. */
    Instant now();

    // ---- producing ---------------------------------------------------------------------------------

    /** Stores a batch atomically (all or none), honouring unique keys; results in the order of the request. */
    List<EnqueueResult> jobsEnqueue(EnqueueRequest request);

    // ---- working -----------------------------------------------------------------------------------

    /**
     * Leases due jobs now, never waiting; see {@link ClaimRequest}. An empty list when none is due. Every
     * engine answers it; the blocking {@link #jobsFetch} is built on it.
     */
    List<Job> jobsClaim(ClaimRequest request);

    /**
     * Leases due jobs; see {@link FetchRequest}. Blocks up to its wait when none is due. Engines serve it with
     * the core's {@link BlockingFetch} over their {@link #jobsClaim} and wake-up signal; one with
     * {@link Capability#NATIVE_BLOCKING_FETCH} has a faster path of its own.
     */
    List<Job> jobsFetch(FetchRequest request) throws InterruptedException;

    /** Extends leases and reports those lost or asked to cancel. */
    LeaseReport leasesExtend(LeaseExtension extension);

    /**
     * Records outcomes; for each completion, true when it was applied, false when its lease was no longer
     * held (fenced out). Engines also count each applied outcome into the per-minute statistics.
     */
    List<Boolean> jobsComplete(List<Completion> completions);

    /**
     * Records outcomes through the caller's own JDBC connection, inside its open transaction, so that the
     * caller's writes and the outcomes commit or roll back together; fenced as {@link #jobsComplete(List)}
     * (a fenced-out completion changes nothing and answers false). Nothing is visible before the caller
     * commits; a connection in auto-commit mode gets one transaction of its own for the batch. Only engines
     * with {@link Capability#TRANSACTIONAL_COMPLETE}, and only with a connection to their own store.
     */
    default List<Boolean> jobsComplete(List<Completion> completions, java.sql.Connection connection) {
        throw new dev.kyu.KyuException.InvalidInput("broker " + describe()
                + " cannot complete jobs inside a JDBC transaction" + " (no Capability.TRANSACTIONAL_COMPLETE)");
    }

    // ---- maintenance (idempotent, any process, any number at once) --------------------------------

    /** Moves up to {@code limit} SCHEDULED jobs whose due time has come to QUEUED; returns how many. */
    int jobsPromoteDue(int limit);

    /**
     * Priority aging: raises by one the priority of up to {@code limit} QUEUED jobs of {@code queue} that have been
     * due since before {@code dueBefore} (by {@code scheduledAt}, the time they became due) and whose priority is
     * below {@code ceiling}, oldest first; returns how many. A raised job keeps its place in time, so in its new
     * priority it comes before every job that became due after it. Each call raises again: the core calls it once
     * per aging step of a queue (docs/flow-control.md), so a job's priority rises by one per step it waits.
     */
    int jobsAge(String queue, Instant dueBefore, int ceiling, int limit);

    /** Rescues up to {@code limit} RUNNING jobs whose lease expired; see {@link RescueResult}. */
    RescueResult leasesRescueExpired(int limit);

    /** Prunes old terminal jobs, statistics and silent workers; returns how many jobs it deleted. */
    int jobsPrune(PruneRequest request);

    // ---- control -----------------------------------------------------------------------------------

    List<CancelResult> jobsCancel(List<String> ids);

    /** Returns how many jobs went back to QUEUED. */
    int jobsRetry(RetryRequest request);

    /** Deletes jobs in any state but RUNNING; returns how many. */
    int jobsDelete(List<String> ids);

    /** Deletes the waiting (SCHEDULED and QUEUED) jobs of a queue; returns how many. */
    int queuePurge(String queue);

    /** Pauses or resumes fetching from a queue; enqueue still works while paused. */
    void queuePause(String queue, boolean paused);

    // ---- queries -----------------------------------------------------------------------------------

    Optional<Job> jobGet(String id);

    List<Job> jobsList(JobQuery query);

    /** The jobs of these ids that exist, in the order asked; engines answer it in one round trip where they can. */
    default List<Job> jobsGet(List<String> ids) {
        var out = new java.util.ArrayList<Job>(ids.size());
        for (String id : ids) jobGet(id).ifPresent(out::add);
        return out;
    }

    /** Every queue that has jobs or is paused, by name. */
    List<QueueInfo> queuesList();

    /** Per-minute, per-queue buckets since {@code since}, of one queue or of every queue (null), oldest first. */
    List<StatsBucket> statsHistory(Instant since, String queue);

    /**
     * Waits until the job is terminal or the timeout passes, and returns it as it then is (empty when it
     * does not exist). Every engine Kyu ships overrides this with its own signal that a job ended (see
     * docs/conformance.md, "awaiting a job"); this default, a poll with a pause growing to 100 ms, is for an
     * engine that has none.
     */
    default Optional<Job> jobAwait(String id, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pauseMs = 1;
        while (true) {
            Optional<Job> job = jobGet(id);
            if (job.isEmpty() || job.get().state().isTerminal()) return job;
            long left = deadline - System.nanoTime();
            if (left <= 0) return job;
            Thread.sleep(Math.min(pauseMs, Math.max(1, left / 1_000_000)));
            pauseMs = Math.min(pauseMs * 2, 100);
        }
    }

    // ---- worker registry ---------------------------------------------------------------------------

    /** Stores or refreshes a worker's report; the engine stamps {@code heartbeatAt}. */
    void workerHeartbeat(WorkerInfo info);

    List<WorkerInfo> workersList();

    void workerRemove(String workerId);

    // ---- small shared state: schedules, leadership ------------------------------------------------

    Optional<String> kvGet(String key);

    void kvPut(String key, String value);

    void kvDelete(String key);

    /**
     * Atomically sets {@code key} to {@code value} when its current value equals {@code expected}: a null
     * {@code expected} asks for the key to be absent, a null {@code value} deletes it. True when the change
     * was applied (a delete of an absent key expected absent applies, changing nothing); false, with
     * nothing changed, when the current value differs. Counters and flags shared by many processes are
     * read with {@link #kvGet} and written with this in a loop.
     */
    boolean kvCompareAndSet(String key, String expected, String value);

    /** Every key starting with the prefix, sorted by key. */
    Map<String, String> kvList(String prefix);

    /**
     * Takes starts from a cell-rate limit's state in one atomic step ({@link RateTake} fixes the arithmetic): a
     * start costs one round trip, however many keys the limits have. This default reads and compare-and-sets in
     * a loop; an engine that can run the step on its side (a script, one statement) overrides it.
     */
    default RateTake.Taken kvTakeRate(RateTake take) {
        while (true) {
            String cur = kvGet(take.key()).orElse(null);
            RateTake.Taken t = take.apply(cur);
            if (kvCompareAndSet(take.key(), cur, take.value(t))) return t;
        }
    }

    /**
     * Several {@link #kvTakeRate} steps, applied in order, each atomic (a key may come more than once): the takes
     * of many keys in one round trip where the engine can. The default takes them one by one.
     */
    default List<RateTake.Taken> kvTakeRates(List<RateTake> takes) {
        var out = new java.util.ArrayList<RateTake.Taken>(takes.size());
        for (RateTake t : takes) out.add(kvTakeRate(t));
        return out;
    }

    /**
     * Takes or renews a named lock for {@code ttl}: true when {@code owner} now holds it (it was free,
     * expired, or already held by the same owner). Leadership only saves work; correctness never rests on it.
     */
    boolean lockTry(String name, String owner, Duration ttl);

    void lockRelease(String name, String owner);

    // ---- lifecycle ---------------------------------------------------------------------------------

    /** Releases connections and wakes any blocked fetch. Idempotent. */
    @Override
    void close();

    /** Counts of one queue by state, from {@link #queuesList()}; engines may answer it faster. */
    default Map<JobState, Long> queueCounts(String queue) {
        return queuesList().stream()
                .filter(q -> q.queue().equals(queue))
                .findFirst()
                .map(QueueInfo::counts)
                .orElseGet(() -> new QueueInfo(queue, false, null, null).counts());
    }
}
