package dev.kyu.flow;

import dev.kyu.job.Job;
import dev.kyu.job.JobState;
import dev.kyu.spi.Broker;
import dev.kyu.spi.RateTake;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's admission check for limited jobs, between a job's lease and its start. Every decision is an
 * atomic step on the broker's key-value verbs (a rate's take, or a compare-and-set; layout in {@code
 * package-info}), so it holds across every worker of every engine. A job no limit applies to costs a lookup in the cached definitions and nothing else;
 * the definitions are read again at most every {@link Limits#REFRESH}, so a change takes effect without restart.
 *
 * <p>A job passes only when every limit that applies to it lets it: no pause in force for its key, a
 * concurrency slot in each concurrency limit, a start in each rate limit. Otherwise it is held back — handed
 * back to wait, its attempt given back — and what it took from the limits that did let it is given back.
 */
public final class FlowGate {
    private static final Logger log = LoggerFactory.getLogger(FlowGate.class);
    static final String RATE = "kyu.flow.rate/";
    static final String SLOTS = "kyu.flow.slots/";
    static final String KEY_ERROR = "kyu.FlowKeyError";
    static final Duration FIRST_RETRY = Duration.ofMillis(50);
    static final Duration MAX_RETRY = Duration.ofSeconds(2);
    /** A booking whose slot is this far past belongs to a job that went elsewhere (cancelled, deleted): ignored and swept. */
    static final Duration STALE_BOOKING = Duration.ofDays(1);

    private final Broker broker;
    private final TakeCombiner takes;
    private final Clock clock;
    private final FlowKeys keys;
    private final Duration refresh;
    private final ReentrantLock refreshing = new ReentrantLock();
    private volatile Snapshot snapshot = Snapshot.EMPTY;
    private volatile long readAtNanos;
    private volatile boolean read;
    /** Definitions that could not be read, warned about once each. */
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    private final Map<String, LongAdder> held = new ConcurrentHashMap<>();
    /** The answer for a job no limit applies to: made once, as most jobs get it. */
    private final Admit free = new Admit(new Ticket("", List.of()));
    /** How stale a worker's view of a limit's pauses may be (see {@link #pausesOf}). */
    static final Duration PAUSE_READ_EVERY = Duration.ofMillis(250);

    private final ReentrantLock[] rateLocks = new ReentrantLock[64];
    /** Starts a thread took for the threads queued behind it on the same key, by rate key; guarded by its stripe's lock. */
    private final Map<String, java.util.ArrayDeque<Long>> spareStarts = new ConcurrentHashMap<>();
    /** How far ahead a start may be for a job to wait for it on its thread instead of going back to the broker. */
    static final Duration LOOK_AHEAD = Duration.ofMillis(50);
    /** A spare start this old is dropped unused: starting on it late would be a burst the rule did not allow. */
    static final Duration STALE_START = Duration.ofMillis(100);

    /** Threads of this process taking from each rate key now (the one holding its lock included). */
    private final Map<String, Integer> waiters = new ConcurrentHashMap<>();

    /** The last slot this process took of each rate key; guarded by the key's stripe lock. */
    private final Map<String, Long> lastSlots = new ConcurrentHashMap<>();

    static final int MAX_BATCH = 32;

    private final Map<String, PauseRead> pauseReads = new ConcurrentHashMap<>();

    {
        for (int i = 0; i < rateLocks.length; i++) rateLocks[i] = new ReentrantLock();
    }

    /** What the gate says about one job. */
    public sealed interface Decision {}

    /** The job may start; {@link Ticket#release()} when its attempt ends (it frees the concurrency slots it took). */
    public record Admit(Ticket ticket) implements Decision {}

    /** The job must wait {@code delay} and come back, its attempt unspent. */
    public record Hold(Duration delay) implements Decision {}

    /** The job's key cannot be computed: it fails with {@code kyu.FlowKeyError} and this reason. */
    public record Fail(String errorType, String reason) implements Decision {}

    /** The slots an admitted job holds; released once, whatever ends the attempt. */
    public final class Ticket {
        private final String jobId;
        private final List<String> slotKeys;
        private final AtomicBoolean released = new AtomicBoolean();

        Ticket(String jobId, List<String> slotKeys) {
            this.jobId = jobId;
            this.slotKeys = slotKeys;
        }

        public void release() {
            if (slotKeys.isEmpty() || !released.compareAndSet(false, true)) return;
            for (String k : slotKeys) {
                try {
                    removeHolder(k, jobId);
                } catch (RuntimeException e) {
                    // Not leaked: a holder whose job no longer runs is dropped by the next job denied a slot.
                    log.warn("could not free flow slot {} of job {}: {}", k, jobId, dev.kyu.Causes.oneLine(e));
                }
            }
        }
    }

    private record Snapshot(Map<String, List<Limit>> byTask, Map<String, List<Limit>> byQueue) {
        static final Snapshot EMPTY = new Snapshot(Map.of(), Map.of());

        List<Limit> of(Job job) {
            List<Limit> t = byTask.get(job.task()), q = byQueue.get(job.queue());
            if (t == null) return q == null ? List.of() : q;
            if (q == null) return t;
            var all = new ArrayList<Limit>(t);
            all.addAll(q);
            return all;
        }
    }

    public FlowGate(Broker broker, Clock clock, Map<String, KeyFunction> keyFunctions) {
        this(broker, clock, keyFunctions, Limits.REFRESH);
    }

    FlowGate(Broker broker, Clock clock, Map<String, KeyFunction> keyFunctions, Duration refresh) {
        this.broker = broker;
        this.takes = new TakeCombiner(broker);
        this.clock = clock;
        this.keys = new FlowKeys(keyFunctions);
        this.refresh = refresh;
    }

    /** The limits that apply to this job, from the cached definitions (read again when older than the refresh). */
    public List<Limit> limitsOf(Job job) {
        refreshIfStale();
        return snapshot.of(job);
    }

    /** Decides whether {@code job} may start now. A job no limit applies to is admitted without a broker round trip. */
    public Decision admit(Job job) {
        List<Limit> limits = limitsOf(job);
        if (limits.isEmpty()) return free;
        String[] keyOf = new String[limits.size()];
        for (int i = 0; i < limits.size(); i++) {
            try {
                keyOf[i] = keys.of(limits.get(i), job);
            } catch (FlowKeys.KeyError e) {
                return new Fail(KEY_ERROR, e.getMessage());
            }
        }
        Instant now = clock.instant();
        long nowN = nanos(now);
        // pauses first: a paused key takes nothing from any limit
        long pausedUntil = Long.MIN_VALUE;
        Limit pausedBy = null;
        for (int i = 0; i < limits.size(); i++) {
            String name = limits.get(i).name();
            // one cached read tells whether the limit has any pause in force; only then are its keys' pauses read
            if (instantAt(KvLimits.PAUSED_UNTIL + name) <= nowN) continue;
            long p = Math.max(pausedUntil(name, keyOf[i]), keyOf[i].isEmpty() ? Long.MIN_VALUE : pausedUntil(name, ""));
            if (p > pausedUntil) {
                pausedUntil = p;
                pausedBy = limits.get(i);
            }
        }
        if (pausedUntil > nowN) {
            // booked too, so that the jobs a pause holds back count as waiting
            broker.kvPut(Booking.key(job.id(), pausedBy.name()), new Booking(pausedUntil, 0, "pause").encode());
            countHeld(pausedBy.name());
            return new Hold(Duration.ofNanos(pausedUntil - nowN));
        }
        // A job that was never handed back has no booking: its fence (one per fetch) still equals its attempt
        // count (one per fetch, given back by a hand-back), so the read is skipped on the common path.
        Map<String, String> bookings = job.fence() > job.attempt() ? bookingsOf(job.id(), limits) : Map.of();
        String bookingPrefix = Booking.PREFIX + job.id() + "/";
        var slotKeys = new ArrayList<String>();
        // concurrency first: a slot denied leaves nothing taken from the rates to give back
        for (int i = 0; i < limits.size(); i++) {
            Limit l = limits.get(i);
            if (l.kind() != Limit.Kind.CONCURRENCY) continue;
            String slotKey = SLOTS + l.name() + "/" + keyOf[i];
            if (takeSlot(slotKey, job.id(), l.permits())) {
                slotKeys.add(slotKey);
                continue;
            }
            giveBack(slotKeys, job.id(), List.of(), List.of(), nowN);
            String bk = bookingPrefix + l.name();
            int tries = Optional.ofNullable(bookings.get(bk))
                            .map(FlowGate::decodeOrNull)
                            .map(Booking::tries)
                            .map(n -> Math.clamp(n, 0, 1_000))
                            .orElse(0)
                    + 1; // a count read back from the store may be anything
            Duration delay = retryDelay(tries);
            broker.kvPut(bk, new Booking(nowN + delay.toNanos(), tries, Booking.rule(l)).encode());
            countHeld(l.name());
            return new Hold(delay);
        }
        var rateKeys = new ArrayList<String>();
        var rateIntervals = new ArrayList<Long>();
        for (int i = 0; i < limits.size(); i++) {
            Limit l = limits.get(i);
            if (l.kind() != Limit.Kind.RATE) continue;
            String bk = bookingPrefix + l.name();
            Booking b = bookings.containsKey(bk) ? decodeOrNull(bookings.get(bk)) : null;
            String rule = Booking.rule(l);
            if (b != null && b.rule().equals(rule)) {
                // its slot has come (or comes within the look-ahead, waited for here): it starts without taking
                // another. Handed back instead, a job back a little early would go round the broker again and
                // again until its slot.
                if (b.slot() <= nowN || waitedFor(b.slot())) continue;
                giveBack(slotKeys, job.id(), rateKeys, rateIntervals, nowN);
                countHeld(l.name());
                return new Hold(untilSlot(b.slot(), nowN));
            }
            String rateKey = RATE + l.name() + "/" + keyOf[i];
            long interval = l.interval().toNanos();
            Start t = takeRate(rateKey, rule, nowN, interval, l.burst());
            if (t.now() || waitedFor(t.slot())) {
                rateKeys.add(rateKey);
                rateIntervals.add(interval);
                continue;
            }
            nowN = Math.max(nowN, nanos(clock.instant()));
            giveBack(slotKeys, job.id(), rateKeys, rateIntervals, nowN);
            broker.kvPut(bk, new Booking(t.slot(), 1, rule).encode());
            countHeld(l.name());
            return new Hold(untilSlot(t.slot(), nowN));
        }
        for (String bk : bookings.keySet()) broker.kvDelete(bk);
        return new Admit(new Ticket(job.id(), List.copyOf(slotKeys)));
    }

    /**
     * The task said its downstream is overloaded for {@code retryAfter}: every limit that applies to the job pauses
     * the job's key (the whole limit when it has none) for that long, on every worker. Best effort per limit.
     */
    public void pauseFor(Job job, Duration retryAfter) {
        Instant until = clock.instant().plus(retryAfter);
        for (Limit l : limitsOf(job)) {
            try {
                String key = keys.of(l, job);
                KvLimits.lengthen(broker, KvLimits.PAUSES + l.name() + "/" + key, until);
                KvLimits.lengthen(broker, KvLimits.PAUSED_UNTIL + l.name(), until);
                // this process's next look sees its own pause at once
                pauseReads.remove(KvLimits.PAUSES + l.name() + "/" + key);
                pauseReads.remove(KvLimits.PAUSED_UNTIL + l.name());
            } catch (FlowKeys.KeyError | RuntimeException e) {
                log.warn("could not pause limit {} for job {}: {}", l.name(), job.id(), e.getMessage());
            }
        }
    }

    /** Jobs held back by each limit since this gate started (counted by the limit that held them). */
    public Map<String, Long> heldBack() {
        var out = new HashMap<String, Long>();
        held.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /**
     * Deletes the bookings of jobs that no longer wait (cancelled, deleted, finished elsewhere) or that are older
     * than {@link #STALE_BOOKING}; returns how many. Workers run it now and then; it is safe to run anywhere.
     */
    public int sweep() {
        Map<String, String> all = broker.kvList(Booking.PREFIX);
        if (all.isEmpty()) return 0;
        long staleBefore = nanos(clock.instant().minus(STALE_BOOKING));
        var byJob = new HashMap<String, List<String>>();
        for (String k : all.keySet()) {
            String rest = k.substring(Booking.PREFIX.length());
            int slash = rest.indexOf('/');
            if (slash > 0)
                byJob.computeIfAbsent(rest.substring(0, slash), id -> new ArrayList<>())
                        .add(k);
        }
        Set<String> waiting = new HashSet<>();
        var ids = new ArrayList<>(byJob.keySet());
        for (int i = 0; i < ids.size(); i += 500) {
            for (Job j : broker.jobsGet(ids.subList(i, Math.min(ids.size(), i + 500)))) {
                if (!JobState.TERMINAL.contains(j.state())) waiting.add(j.id());
            }
        }
        int n = 0;
        for (var e : byJob.entrySet()) {
            for (String k : e.getValue()) {
                Booking b = decodeOrNull(all.get(k));
                if (waiting.contains(e.getKey()) && b != null && b.slot() >= staleBefore) continue;
                broker.kvDelete(k);
                n++;
            }
        }
        return n;
    }

    // ---- the shared state ---------------------------------------------------------------------------

    private boolean takeSlot(String slotKey, String jobId, long max) {
        boolean pruned = false;
        while (true) {
            Optional<String> cur = broker.kvGet(slotKey);
            List<String> holders = holders(cur.orElse(""));
            if (holders.contains(jobId)) return true; // re-leased after a lost lease: it holds its slot already
            if (holders.size() < max) {
                var next = new ArrayList<>(holders);
                next.add(jobId);
                if (broker.kvCompareAndSet(slotKey, cur.orElse(null), String.join(",", next))) return true;
                continue;
            }
            if (pruned) return false;
            // Full: drop holders whose jobs no longer run (their worker died and the lease was rescued), so no slot
            // leaks.
            pruned = true;
            Set<String> live = new HashSet<>();
            for (Job j : broker.jobsGet(holders)) if (j.state() == JobState.RUNNING) live.add(j.id());
            if (live.size() == holders.size()) return false;
            var kept = holders.stream().filter(live::contains).toList();
            if (!broker.kvCompareAndSet(slotKey, cur.orElse(null), String.join(",", kept))) pruned = false;
        }
    }

    private void removeHolder(String slotKey, String jobId) {
        while (true) {
            Optional<String> cur = broker.kvGet(slotKey);
            if (cur.isEmpty()) return;
            List<String> holders = holders(cur.get());
            if (!holders.contains(jobId)) return;
            var kept = new ArrayList<>(holders);
            kept.remove(jobId);
            if (kept.isEmpty()
                    ? casDelete(slotKey, cur.get())
                    : broker.kvCompareAndSet(slotKey, cur.get(), String.join(",", kept))) return;
        }
    }

    private boolean casDelete(String key, String expected) {
        return broker.kvCompareAndSet(key, expected, null);
    }

    /** A start taken: when it is due, and whether that is now. */
    private record Start(long slot, boolean now) {}

    /**
     * Takes a start from the rate state {@code TAT_NANOS,RULE}. A state kept under another rule (the limit's numbers
     * changed) starts afresh at now, so a raised limit takes effect at once instead of after the old schedule.
     */
    private Start takeRate(String rateKey, String rule, long now, long interval, long burst) {
        // One job thread of this process at a time per key: the thread that holds the lock takes starts for the
        // threads of its key waiting behind it too, in the same step, and leaves them here, so a busy key costs
        // one take per batch, not per job; takes of different keys go to the broker together (TakeCombiner).
        // Other processes take from the broker too; its one-step take keeps every start distinct.
        ReentrantLock lock = rateLocks[Math.floorMod(rateKey.hashCode(), rateLocks.length)];
        // Threads waiting for this key, not the stripe: starts taken for a thread of another key would go unused.
        waiters.merge(rateKey, 1, Integer::sum);
        lock.lock();
        try {
            java.util.ArrayDeque<Long> spare = spareStarts.get(rateKey);
            while (spare != null && !spare.isEmpty()) {
                long slot = spare.pollFirst();
                if (spare.isEmpty()) spareStarts.remove(rateKey);
                if (slot >= now - STALE_START.toNanos()) return new Start(Math.max(slot, now), slot <= now);
            }
            int want = Math.clamp(waiters.getOrDefault(rateKey, 1), 1, MAX_BATCH);
            // Starts for the threads queued behind: those due within the look-ahead, or all of them when this
            // key's last start was already beyond it (each is then booked, and one round trip books them all).
            Long last = lastSlots.get(rateKey);
            long horizon = last != null && last - now > LOOK_AHEAD.toNanos() ? Long.MAX_VALUE : LOOK_AHEAD.toNanos();
            var take = new RateTake(rateKey, rule, now, interval, burst, want, horizon);
            RateTake.Taken t = takes.take(take);
            if (lastSlots.size() > 10_000) lastSlots.clear(); // one entry per key taken from: bounded, not a store
            lastSlots.put(rateKey, take.slot(t.tat0(), t.taken() - 1));
            if (t.taken() > 1) {
                var extra = spareStarts.computeIfAbsent(rateKey, k -> new java.util.ArrayDeque<>());
                for (int k = 1; k < t.taken(); k++) extra.add(take.slot(t.tat0(), k));
            }
            long slot = take.slot(t.tat0(), 0);
            return new Start(slot, slot == now);
        } finally {
            waiters.computeIfPresent(rateKey, (k, n) -> n <= 1 ? null : n - 1);
            lock.unlock();
        }
    }

    /**
     * A start due within {@link #LOOK_AHEAD} is waited for here, on the job's own thread, rather than handed back
     * and fetched again: true once its time has come by the gate's clock (false when that clock did not move, as
     * a test's manual clock does not; the job is then held like any other).
     */
    private boolean waitedFor(long slot) {
        long d = slot - nanos(clock.instant());
        if (d > LOOK_AHEAD.toNanos()) return false;
        if (d > 0) {
            try {
                Thread.sleep(Duration.ofNanos(d));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return nanos(clock.instant()) >= slot;
    }

    /**
     * The wait until a booked slot, rounded up to a whole millisecond: engines keep due times to the millisecond,
     * and a job due a fraction early would find its slot not yet come.
     */
    static Duration untilSlot(long slot, long now) {
        long ms = Math.floorDiv(slot - now + 999_999, 1_000_000);
        return Duration.ofMillis(Math.max(1, ms));
    }

    /**
     * When the pause of a limit's key ("" for the whole limit) ends, read from the broker by its exact key at most
     * every {@link #PAUSE_READ_EVERY}: a pause is seconds long (a Retry-After), so a look that old is fresh enough,
     * and a busy key costs one read per period instead of one per job.
     */
    private long pausedUntil(String limit, String key) {
        return instantAt(KvLimits.PAUSES + limit + "/" + key);
    }

    /** The instant stored at {@code k} in nanoseconds (MIN_VALUE when absent or unreadable), looked up at most every PAUSE_READ_EVERY. */
    private long instantAt(String k) {
        long nowN = System.nanoTime();
        PauseRead last = pauseReads.get(k);
        if (last != null && nowN - last.readAt() < PAUSE_READ_EVERY.toNanos()) return last.until();
        long until = broker.kvGet(k)
                .map(v -> {
                    try {
                        return nanos(Instant.parse(v));
                    } catch (RuntimeException unreadable) {
                        return Long.MIN_VALUE; // a pause that cannot be read holds nothing back
                    }
                })
                .orElse(Long.MIN_VALUE);
        if (pauseReads.size() > 10_000) pauseReads.clear(); // one entry per key looked at: bounded, not a store
        pauseReads.put(k, new PauseRead(nowN, until));
        return until;
    }

    private record PauseRead(long readAt, long until) {}

    /** The job's bookings under these limits, one read per limit by its exact key (never a listing of every booking). */
    private Map<String, String> bookingsOf(String jobId, List<Limit> limits) {
        var out = new HashMap<String, String>();
        for (Limit l : limits) {
            String k = Booking.key(jobId, l.name());
            broker.kvGet(k).ifPresent(v -> out.put(k, v));
        }
        return out;
    }

    /** Gives back what a job took before another limit held it back; best effort, as a refund is only fairness. */
    private void giveBack(List<String> slotKeys, String jobId, List<String> rateKeys, List<Long> intervals, long now) {
        try {
            for (String k : slotKeys) removeHolder(k, jobId);
            for (int i = 0; i < rateKeys.size(); i++) {
                String k = rateKeys.get(i);
                for (int tries = 0; tries < 5; tries++) {
                    Optional<String> cur = broker.kvGet(k);
                    if (cur.isEmpty()) break;
                    String v = cur.get();
                    int c = v.indexOf(',');
                    if (c < 0) break;
                    long tat = parseLong(v.substring(0, c));
                    if (broker.kvCompareAndSet(k, v, Gcra.refund(tat, now, intervals.get(i)) + v.substring(c))) break;
                }
            }
        } catch (RuntimeException e) {
            log.debug("giving back flow tokens failed", e);
        }
    }

    // ---- definitions --------------------------------------------------------------------------------

    private void refreshIfStale() {
        if (read && System.nanoTime() - readAtNanos < refresh.toNanos()) return;
        // one thread reads; the others go on with the definitions they have (the first read waits for it)
        if (read ? !refreshing.tryLock() : !lockFirst()) return;
        try {
            if (read && System.nanoTime() - readAtNanos < refresh.toNanos()) return;
            Map<String, String> raw = broker.kvList(KvLimits.DEFS);
            var byTask = new HashMap<String, List<Limit>>();
            var byQueue = new HashMap<String, List<Limit>>();
            for (var e : new java.util.TreeMap<>(raw).entrySet()) {
                Limit l;
                try {
                    l = LimitCodec.decode(e.getValue());
                } catch (RuntimeException bad) {
                    if (warned.add(e.getKey() + "=" + e.getValue())) {
                        log.warn(
                                "flow limit {} cannot be read and is not enforced: {}",
                                e.getKey().substring(KvLimits.DEFS.length()),
                                bad.getMessage());
                    }
                    continue;
                }
                var into = l.target().scope() == Limit.Target.Scope.TASK ? byTask : byQueue;
                into.computeIfAbsent(l.target().name(), n -> new ArrayList<>()).add(l);
            }
            byTask.replaceAll((k, v) -> List.copyOf(v));
            byQueue.replaceAll((k, v) -> List.copyOf(v));
            snapshot = new Snapshot(Map.copyOf(byTask), Map.copyOf(byQueue));
            readAtNanos = System.nanoTime();
            read = true;
        } finally {
            refreshing.unlock();
        }
    }

    private boolean lockFirst() {
        refreshing.lock();
        return true;
    }

    // ---- helpers ------------------------------------------------------------------------------------

    private void countHeld(String limit) {
        held.computeIfAbsent(limit, n -> new LongAdder()).increment();
    }

    /** 50 ms doubling to 2 s, with up to a quarter of jitter so denied jobs do not come back together. */
    static Duration retryDelay(int tries) {
        tries = Math.max(1, tries); // counts read back from the store may be anything
        long ms = Math.min(MAX_RETRY.toMillis(), FIRST_RETRY.toMillis() << Math.min(tries - 1, 10));
        return Duration.ofMillis(ms - ThreadLocalRandom.current().nextLong(ms / 4 + 1));
    }

    static List<String> holders(String v) {
        if (v.isEmpty()) return List.of();
        return Arrays.asList(v.split(","));
    }

    /**
     * Epoch nanoseconds, saturated: an instant past 2262 (a pause of centuries) counts as the far end of time rather
     * than failing, so such a pause still holds its jobs instead of being ignored.
     */
    static long nanos(Instant i) {
        long s = i.getEpochSecond();
        if (s >= Long.MAX_VALUE / 1_000_000_000L) return Long.MAX_VALUE;
        if (s <= Long.MIN_VALUE / 1_000_000_000L) return Long.MIN_VALUE;
        return s * 1_000_000_000L + i.getNano();
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return Long.MIN_VALUE;
        }
    }

    private static Booking decodeOrNull(String s) {
        try {
            return Booking.decode(s);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
