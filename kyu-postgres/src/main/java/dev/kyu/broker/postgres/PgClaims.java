package dev.kyu.broker.postgres;

import dev.kyu.job.Job;
import dev.kyu.spi.BlockingFetch;
import dev.kyu.spi.ClaimRequest;
import dev.kyu.spi.FetchRequest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claim and fetch: a claim leases QUEUED jobs in one {@code UPDATE … FOR UPDATE SKIP LOCKED} per queue; a
 * fetch is the core's {@link BlockingFetch} over that claim, a read of the next due time and a promotion of
 * the fetched queues' due jobs, and waits on the wake-up signal that NOTIFY feeds (or for the poll). A
 * claimed row that cannot run is quarantined, not handed out.
 */
final class PgClaims implements BlockingFetch.Source {
    private static final Logger LOG = LoggerFactory.getLogger(PgClaims.class);
    private static final Duration MIN_POLL = Duration.ofMillis(1);

    private final PgSettings settings;
    private final PgPool db;
    private final PgWakeups wakeups;
    private final PgSweeps sweeps;
    private final PgQuarantine quarantine;
    /** One per broker: its fetchers share when the next due time was last read. */
    private final BlockingFetch fetching;

    private final AtomicBoolean autovacuumChecked = new AtomicBoolean();
    final String claimSql; // package-private for the plan test
    private final String nextDueSql;

    PgClaims(String s, PgSettings settings, PgPool db, PgWakeups wakeups, PgSweeps sweeps, PgQuarantine quarantine) {
        this.settings = settings;
        this.db = db;
        this.wakeups = wakeups;
        this.sweeps = sweeps;
        this.quarantine = quarantine;
        // The lease is stamped with the time the row is claimed, not with now() (the statement's start):
        // a claim that waited (for a lock, say) before taking its snapshot can lease a job enqueued after
        // it began, and its start must not read as earlier than that job's enqueue.
        // A row whose attempt or fence is at its type's limit (written behind Kyu's back) is leased unchanged
        // rather than overflowing, which would fail the whole claim for one row: JobRows.readToRun then
        // finds it at the limit and it is quarantined like any other row that breaks the contract.
        // The claimed ids are gathered once, as an array (an InitPlan), and the rows found by primary key,
        // whatever the plan. Joined to the locking subquery instead, the statement could get a generic plan
        // (the one PostgreSQL keeps for a prepared statement) that hashes the subquery and scans the whole
        // table, reading the queue's index again and again.
        this.claimSql = """
                UPDATE %1$s.kyu_jobs j SET state = 'RUNNING',
                       attempt = CASE WHEN j.attempt < 2147483647 THEN j.attempt + 1 ELSE j.attempt END,
                       fence = CASE WHEN j.fence < 9223372036854775807 THEN j.fence + 1 ELSE j.fence END, worker_id = ?, started_at = clock_timestamp(),
                       lease_expires_at = clock_timestamp() + ? * interval '1 millisecond', cancel_requested = false,
                       unique_claim = CASE WHEN j.unique_scope = 'QUEUED' THEN NULL ELSE j.unique_claim END
                WHERE j.id = ANY(ARRAY(
                        SELECT id FROM %1$s.kyu_jobs WHERE state = 'QUEUED' AND queue = ?
                          AND NOT EXISTS (SELECT 1 FROM %1$s.kyu_queues p WHERE p.queue = ? AND p.paused)
                        ORDER BY priority DESC, id LIMIT ? FOR UPDATE SKIP LOCKED))
                RETURNING %2$s
                """.formatted(s, prefixed("j."));
        this.nextDueSql = """
                SELECT extract(epoch FROM (min(scheduled_at) - now())) * 1000 FROM %1$s.kyu_jobs
                WHERE state = 'SCHEDULED' AND queue = ANY(?::text[])
                """.formatted(s);
        this.fetching = new BlockingFetch(this, wakeups.signal());
    }

    private static String prefixed(String p) {
        var out = new StringBuilder();
        for (String col : JobRows.COLUMNS.split(",\\s*"))
            out.append(out.isEmpty() ? "" : ", ").append(p).append(col);
        return out.toString();
    }

    /**
     * The blocking fetch: the core's {@link BlockingFetch} over this class's claim, next-due read and promotion.
     * The fetched queues are registered as waited on for the whole fetch, before its first claim, so that the
     * listener passes on every NOTIFY of those queues that the claim's snapshot could miss.
     */
    List<Job> jobsFetch(FetchRequest r) {
        wakeups.listenOnFirstUse();
        if (!autovacuumChecked.get() && autovacuumChecked.compareAndSet(false, true)) warnIfAutovacuumOff();
        List<String> queues = List.copyOf(new LinkedHashSet<>(r.queues()));
        wakeups.waiting().add(queues);
        try {
            return fetching.fetch(r);
        } finally {
            wakeups.waiting().remove(queues);
        }
    }

    /**
     * Every finished, retried or deleted job leaves a dead row version and dead index entries behind; without
     * autovacuum they pile up until someone runs VACUUM, and fetching and counting slow down with them. Said
     * once, at a process's first fetch: a worker needs to know, a command that only enqueues or reads does not.
     */
    private void warnIfAutovacuumOff() {
        try (Connection c = db.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT current_setting('autovacuum')");
                ResultSet rs = ps.executeQuery()) {
            if (rs.next() && "off".equalsIgnoreCase(rs.getString(1))) {
                LOG.warn(
                        "PostgreSQL {} runs with autovacuum off: dead rows of finished and deleted jobs will slow fetching"
                                + " until VACUUM runs; turn autovacuum on",
                        settings.redacted());
            }
        } catch (SQLException e) {
            LOG.debug("could not read the autovacuum setting of {}: {}", settings.redacted(), e.getMessage());
        }
    }

    /**
     * One claim per queue, in the request's order, until {@code limit} rows are taken; a corrupt row counts
     * against the limit (it was claimed) and is quarantined once every queue has been read.
     */
    @Override
    public List<Job> claim(ClaimRequest r) {
        int limit = r.limit();
        return db.call("fetch jobs", c -> {
            var out = new ArrayList<Job>();
            var corrupt = new ArrayList<JobRows.Corrupt>();
            for (String queue : new LinkedHashSet<>(r.queues())) {
                int want = limit - out.size() - corrupt.size();
                if (want <= 0) break;
                var batch = new ArrayList<Job>();
                try (PreparedStatement ps = c.prepareStatement(claimSql)) {
                    ps.setString(1, r.workerId());
                    ps.setLong(2, Math.max(1, r.leaseDuration().toMillis()));
                    ps.setString(3, queue);
                    ps.setString(4, queue);
                    ps.setInt(5, want);
                    try (ResultSet rs = ps.executeQuery()) {
                        PgQuarantine.split(rs, true, batch::add, corrupt);
                    }
                }
                batch.sort(Comparator.comparingInt(Job::priority).reversed().thenComparing(Job::id));
                out.addAll(batch);
            }
            quarantine.quarantine(c, corrupt);
            return out;
        });
    }

    /**
     * One read tells both whether delayed jobs or retries of these queues came due since the last maintenance
     * sweep and, when none did, how long a fetch may wait: an idle fetch costs a claim and this read. Rounded up
     * to the millisecond, by the database's clock.
     */
    @Override
    public Optional<Duration> untilNextDue(List<String> queues) {
        return db.call("read the next due time", c -> {
            try (PreparedStatement ps = c.prepareStatement(nextDueSql)) {
                ps.setArray(1, PgPool.texts(c, queues));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    double ms = rs.getDouble(1);
                    return rs.wasNull()
                            ? Optional.<Duration>empty()
                            : Optional.of(Duration.ofMillis((long) Math.ceil(ms)));
                }
            }
        });
    }

    /** Promotes due jobs of the fetched queues only: the maintenance sweep promotes every queue's. */
    @Override
    public int promoteDue(List<String> queues, int limit) {
        return db.call("promote due jobs", c -> sweeps.promote(c, queues, limit));
    }

    /**
     * Long while the LISTEN connection is up (a NOTIFY wakes the fetch), the configured poll interval otherwise;
     * never under a millisecond, so that a sub-millisecond pollInterval cannot make idle fetchers spin on the
     * database.
     */
    @Override
    public Duration pollInterval() {
        Duration poll = wakeups.pollCap(wakeups.listening());
        return poll.compareTo(MIN_POLL) < 0 ? MIN_POLL : poll;
    }
}
