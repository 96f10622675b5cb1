package dev.kyu.client;

import dev.kyu.KyuException;
import dev.kyu.codec.Printable;
import dev.kyu.job.Job;
import dev.kyu.job.JobState;
import dev.kyu.job.KeyedFlow;
import dev.kyu.job.UniqueScope;
import dev.kyu.spi.Broker;
import dev.kyu.spi.EnqueueRequest;
import dev.kyu.spi.EnqueueResult;
import dev.kyu.spi.NewJob;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Debounce and throttle over the broker's plain verbs (unique keys, delete, get, key-value), so every engine
 * has them unchanged.
 *
 * <p>Invariants: at most one waiting job per task and key, held by the store itself through a unique key of
 * scope QUEUED that the waiting job keeps until it starts. A call replaces the waiting job (delete it, store its
 * own job under the same key) and never touches a running one: that delete answers 0 and the call starts a new
 * window. A call's args are lost only to a later or concurrent call's. Due times come from the broker's clock.
 */
final class KeyedFlows {
    /** Unique-key prefixes of the waiting jobs, and of the throttle's next-slot entry in the key-value store. */
    static final String DEBOUNCE = "kyu.debounce/";

    static final String THROTTLE = "kyu.throttle/";
    /** The burst's first call (epoch milliseconds), carried from each waiting debounce job to its replacement. */
    static final String FIRST_CALL = "kyu.debounce.first";
    /** Rounds lost to other producers' calls on the same key before giving up; each lost round means another call was stored. */
    private static final int MAX_ROUNDS = 64;
    /** Tries to store a replacement once the waiting job is deleted: giving up here drops the burst's args. */
    private static final int STORE_TRIES = 5;

    private final Broker broker;

    KeyedFlows(Broker broker) {
        this.broker = broker;
    }

    /** Stores {@code job} (built with no unique key and no due time) under the flow's rules; the result names it. */
    EnqueueResult store(NewJob job, KeyedFlow flow) {
        return switch (flow) {
            case KeyedFlow.Debounce d -> debounce(job, d);
            case KeyedFlow.Throttle t -> throttle(job, t);
        };
    }

    /** Due at min(now + quiet, first call + max); the first call's time rides in the waiting job's meta. */
    private EnqueueResult debounce(NewJob job, KeyedFlow.Debounce d) {
        String unique = DEBOUNCE + job.task() + "/" + d.key();
        Instant now = now();
        Instant first = now;
        boolean replacing = false;
        for (int round = 0; round < MAX_ROUNDS; round++) {
            Instant due = min(now.plus(d.quiet()), first.plus(d.max()));
            var meta = new LinkedHashMap<>(job.meta());
            meta.put(FIRST_CALL, Long.toString(first.toEpochMilli()));
            NewJob mine = waiting(job, unique, due, meta);
            EnqueueResult r = put(mine, replacing, "debounce", d.key());
            if (r.id().equals(mine.id())) return new EnqueueResult(mine.id(), true);
            Optional<Job> held = broker.jobGet(r.id());
            first = held.filter(KeyedFlows::untried).map(j -> firstCall(j, now)).orElse(now);
            replacing = broker.jobsDelete(List.of(r.id())) == 1;
            // Not deleted: it started (this call opens a new burst) or another call replaced it (the next round reads
            // that one).
            if (!replacing) first = now;
        }
        throw gaveUp("debounce", d.key());
    }

    /**
     * Leading and trailing: a call takes the key's next free slot, max(now, next), and moves "next" to slot + every
     * (a compare-and-set in the key-value store), so due times of runs are at least {@code every} apart. When a
     * job already waits, the call takes that job's due time and replaces its args instead.
     */
    private EnqueueResult throttle(NewJob job, KeyedFlow.Throttle t) {
        String unique = THROTTLE + job.task() + "/" + t.key();
        Instant now = now();
        Instant keep = null;
        boolean replacing = false;
        for (int round = 0; round < MAX_ROUNDS; round++) {
            Slot slot = keep == null ? reserve(unique, now, t.every()) : null;
            NewJob mine = waiting(job, unique, keep != null ? keep : slot.due(), job.meta());
            EnqueueResult r = put(mine, replacing, "throttle", t.key());
            if (r.id().equals(mine.id())) return new EnqueueResult(mine.id(), true);
            // A job already waits and holds a slot: hand back the one just taken (if nobody took a later one since).
            if (slot != null) broker.kvCompareAndSet(unique, slot.next(), slot.before());
            Optional<Job> held = broker.jobGet(r.id());
            keep = held.filter(KeyedFlows::untried).map(Job::scheduledAt).orElse(null);
            replacing = broker.jobsDelete(List.of(r.id())) == 1;
            if (!replacing) keep = null;
        }
        throw gaveUp("throttle", t.key());
    }

    /** The broker's now in whole milliseconds, as the key-value entries and the meta keep it, so due times compare exactly. */
    private Instant now() {
        return broker.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    }

    /** A due time taken from the key's "next free slot" entry: {@code before} is the entry's text before, {@code next} after. */
    private record Slot(Instant due, String before, String next) {}

    private Slot reserve(String key, Instant now, Duration every) {
        for (int round = 0; round < MAX_ROUNDS; round++) {
            String before = broker.kvGet(key).orElse(null);
            Instant due = max(now, millis(before, Instant.EPOCH));
            String next = Long.toString(due.plus(every).toEpochMilli());
            if (broker.kvCompareAndSet(key, before, next)) return new Slot(due, before, next);
        }
        throw gaveUp("throttle", key.substring(key.indexOf('/', THROTTLE.length()) + 1));
    }

    /**
     * Stores one job. Once the waiting job was deleted, this call's job is the burst's only copy: a failed store is
     * tried again (an answer naming this job's id means an earlier try got through), then reported.
     */
    private EnqueueResult put(NewJob job, boolean replacing, String form, String key) {
        for (int attempt = 1; ; attempt++) {
            try {
                return broker.jobsEnqueue(EnqueueRequest.of(List.of(job))).get(0);
            } catch (KyuException.InvalidInput e) {
                throw e;
            } catch (RuntimeException e) {
                if (!replacing) throw e;
                if (attempt >= STORE_TRIES) {
                    throw new KyuException(
                            form + " " + Printable.quoted(key)
                                    + ": the waiting job was replaced but the new one could not be stored" + " after "
                                    + STORE_TRIES + " tries, so no job waits for this key now: " + e.getMessage(),
                            e);
                }
            }
        }
    }

    private static NewJob waiting(NewJob job, String unique, Instant due, Map<String, String> meta) {
        return NewJob.builder(job.id(), job.task())
                .queue(job.queue())
                .args(job.args())
                .priority(job.priority())
                .maxAttempts(job.maxAttempts())
                .runAt(due)
                .unique(unique, UniqueScope.QUEUED, null)
                .timeout(job.timeout())
                .backoff(job.backoff())
                .meta(meta)
                .resultTtl(job.resultTtl())
                .links(job.links())
                .build();
    }

    /** A waiting job never tried: one waiting for a retry ends its burst, and the call starts a new one. */
    private static boolean untried(Job j) {
        return (j.state() == JobState.QUEUED || j.state() == JobState.SCHEDULED) && j.attempt() == 0;
    }

    private static Instant firstCall(Job j, Instant now) {
        return min(millis(j.meta().get(FIRST_CALL), now), now);
    }

    /** Epoch milliseconds as text, or {@code otherwise} when absent or not a number (a hand-edited entry never blocks calls). */
    private static Instant millis(String text, Instant otherwise) {
        if (text == null) return otherwise;
        try {
            return Instant.ofEpochMilli(Long.parseLong(text));
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static KyuException gaveUp(String form, String key) {
        return new KyuException(form + " " + Printable.quoted(key) + ": gave up after " + MAX_ROUNDS
                + " rounds lost to concurrent calls of the same key; call again");
    }
}
