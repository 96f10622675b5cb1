package dev.kyu.broker.sqlite;

import dev.kyu.job.Job;
import dev.kyu.spi.BlockingFetch;
import dev.kyu.spi.ClaimRequest;
import dev.kyu.spi.FetchRequest;
import dev.kyu.spi.WakeSignal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The blocking verbs, fetch and await. They wake on this process's own commits at once ({@link WakeSignal}),
 * on other processes' commits when the file system reports their writes to the WAL ({@link WalWatch}), and
 * otherwise look again every poll interval: a wake-up is a hint, the poll bounds one that was missed.
 */
final class SqliteWaits implements AutoCloseable {
    private final SqliteStore store;
    private final WakeSignal signal = new WakeSignal();
    private final BlockingFetch fetching = new BlockingFetch(new Source(), signal);
    /** Other processes' commits, watched from the first fetch or await on (a producer-only process needs none). */
    private final AtomicBoolean watchStarted = new AtomicBoolean();

    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile WalWatch watch;

    SqliteWaits(SqliteStore store) {
        this.store = store;
    }

    /** Tells this process's blocked fetches and awaits that a commit may have given them something. */
    void wake() {
        signal.wake();
    }

    /** Claims up to the request's limit, waiting up to its maxWait for work: the core's blocking fetch over {@link #claim}. */
    List<Job> fetch(FetchRequest request) {
        startWatch();
        return fetching.fetch(request);
    }

    /**
     * Claims what is due now, without waiting. The reader connection is asked first whether anything is due, so
     * an idle fetcher does not take the file's write lock for nothing; the claim then promotes the due delayed
     * jobs of its queues and leases, in one write transaction stamped under its lock.
     */
    List<Job> claim(ClaimRequest request) {
        var now = store.now();
        if (!store.read("fetch", db -> SqliteClaims.anyDue(db, request.queues(), now))) return List.of();
        return store.stamped("fetch", (db, stamp) -> SqliteClaims.claim(db, request, stamp));
    }

    /**
     * What the core's blocking fetch needs from this engine. A claim promotes due delayed jobs itself, so there is
     * no separate promotion and no next-due read: a wait is bounded by the poll interval, which is how a delay
     * comes due when nothing is committed.
     */
    private final class Source implements BlockingFetch.Source {
        @Override
        public List<Job> claim(ClaimRequest request) {
            return SqliteWaits.this.claim(request);
        }

        @Override
        public Optional<Duration> untilNextDue(List<String> queues) {
            return Optional.empty();
        }

        @Override
        public int promoteDue(List<String> queues, int limit) {
            return 0;
        }

        @Override
        public Duration pollInterval() {
            return store.options().pollInterval();
        }
    }

    /** Reads the job until it is terminal, gone or the timeout passes; every end of a job in this process wakes it. */
    Optional<Job> await(Supplier<Optional<Job>> read, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pollNanos = store.options().pollInterval().toNanos();
        startWatch();
        while (true) {
            long seen = signal.generation();
            Optional<Job> job = read.get();
            if (job.isEmpty() || job.get().state().isTerminal()) return job;
            long left = deadline - System.nanoTime();
            if (left <= 0 || signal.isClosed()) return job;
            signal.awaitAfter(seen, Math.min(left, pollNanos));
        }
    }

    private void startWatch() {
        if (!watchStarted.compareAndSet(false, true)) return;
        watch = WalWatch.start(Path.of(store.label()), signal::wake);
        if (closed.get() && watch != null) watch.close(); // closed while it started
    }

    /** Returns every blocked fetch and await at once and stops the watch. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        signal.close();
        WalWatch w = watch;
        if (w != null) w.close();
    }
}
