package dev.kyu.spi;

import dev.kyu.job.Job;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The one blocking fetch every engine serves {@link Broker#jobsFetch} with (an engine with
 * {@link Capability#NATIVE_BLOCKING_FETCH} keeps a faster path of its own). The engine offers a non-blocking
 * claim, the time until its next delayed job is due, a promotion of due jobs and a {@link WakeSignal}; this
 * class owns the waiting and the order of the round trips:
 *
 * <ol>
 *   <li>claim; a full batch goes to work at once;</li>
 *   <li>jobs in hand also go at once unless {@link #DUE_CHECK_EVERY} passed since the last look at delayed jobs,
 *       so a fetch that keeps claiming still promotes due delays and retry back-offs itself instead of leaving
 *       them to the maintenance sweep;</li>
 *   <li>otherwise one read of the next due time; when a delayed job is due, promote and claim what room is
 *       left;</li>
 *   <li>with nothing in hand, wait for the signal, at most until the next due time, the engine's poll interval
 *       or the fetch's own deadline, whichever is first, and look again.</li>
 * </ol>
 *
 * A wake-up that arrives between a claim and the wait is never lost: the generation is read before the claim.
 * A signal that is closed ends the wait with an empty list, and so does an interrupt (the flag stays set).
 */
public final class BlockingFetch {
    /** How often a fetch that keeps finding work still looks at delayed jobs. */
    public static final Duration DUE_CHECK_EVERY = Duration.ofMillis(100);

    /** What an engine offers the blocking fetch. Every method is one short round trip and never waits. */
    public interface Source {
        /** {@link Broker#jobsClaim}. */
        List<Job> claim(ClaimRequest request);

        /**
         * How long until the next delayed (SCHEDULED) job of these queues is due, by the engine's clock: zero or
         * negative when one is due now, empty when none waits. An engine whose claim already takes due delayed
         * jobs may answer the time to the next one that is not yet due.
         */
        Optional<Duration> untilNextDue(List<String> queues);

        /** Moves up to {@code limit} due SCHEDULED jobs of these queues to QUEUED; returns how many. */
        int promoteDue(List<String> queues, int limit);

        /**
         * The longest wait without a signal: short when the engine cannot hear other processes' commits (its
         * listener is down, or it has none), long when it can.
         */
        Duration pollInterval();
    }

    private static final long DUE_CHECK_NS = DUE_CHECK_EVERY.toNanos();
    private static final int PROMOTE_BATCH = 1000;

    private final Source source;
    private final WakeSignal signal;
    private volatile long lastDueCheck = System.nanoTime() - DUE_CHECK_NS;

    public BlockingFetch(Source source, WakeSignal signal) {
        this.source = source;
        this.signal = signal;
    }

    public List<Job> fetch(FetchRequest request) {
        long deadline = System.nanoTime() + request.maxWait().toNanos();
        ClaimRequest claim = request.claim();
        while (true) {
            if (signal.isClosed()) return List.of();
            long seen = signal.generation();
            Optional<Duration> due;
            try {
                List<Job> got = source.claim(claim);
                if (got.size() >= claim.limit()) return got;
                if (!got.isEmpty() && System.nanoTime() - lastDueCheck < DUE_CHECK_NS) return got;
                lastDueCheck = System.nanoTime();
                due = source.untilNextDue(claim.queues());
                if (due.isPresent() && !due.get().isPositive()) got = promoteAndClaim(claim, got);
                if (!got.isEmpty()) return got;
            } catch (RuntimeException e) {
                if (signal.isClosed()) return List.of(); // closed under a blocked fetch: the wake-up close promises
                throw e;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) return List.of();
            long waitNs = Math.min(
                    left, Math.max(source.pollInterval().toNanos(), 1_000_000L)); // a poll under 1 ms would spin
            if (due.isPresent()) waitNs = Math.min(waitNs, Math.max(due.get().toNanos(), 1_000_000L));
            try {
                signal.awaitAfter(seen, Math.max(waitNs, 1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return List.of();
            }
        }
    }

    /** Promotes what is due and claims the room left; jobs another fetcher took meanwhile are not waited for. */
    private List<Job> promoteAndClaim(ClaimRequest claim, List<Job> got) {
        if (source.promoteDue(claim.queues(), PROMOTE_BATCH) == 0) return got;
        var more = new ArrayList<>(got);
        more.addAll(source.claim(claim.withLimit(claim.limit() - got.size())));
        return more;
    }
}
