package dev.kyu.broker.sqlite;

import dev.kyu.job.Job;
import dev.kyu.spi.ClaimRequest;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One non-blocking fetch: inside a single write transaction, promotes the requested queues' due jobs,
 * then claims and leases up to the limit, queue by queue in the order asked, each queue's best jobs
 * first (priority, then age). A claimed row that cannot be decoded is quarantined on the spot and the
 * claim goes on, so one bad row never starves a worker.
 *
 * <p>{@code now} is the transaction's time, read once its write lock is held ({@link SqliteStore#stamped}): every
 * time this class stamps is {@code now} or counted from it, so stamps follow commit order.
 */
final class SqliteClaims {
    /**
     * The candidates are picked and checked before the lease is written: the lease's own arithmetic
     * (attempt + 1, fence + 1) would turn a text or out-of-range attempt or fence into a plausible number
     * and let the row run, so a row whose id, attempt or fence the lease cannot work on is quarantined
     * instead. Rows are leased by rowid, the one handle that reaches a row whatever its id holds; the
     * leased row is then checked whole, as a worker would get it.
     */
    private static final String CANDIDATES = "SELECT rowid, typeof(id) = 'text' AND typeof(attempt) = 'integer' "
            + "AND attempt BETWEEN 0 AND 2147483646 AND typeof(fence) = 'integer' AND fence BETWEEN 0 AND "
            + JobRow.MAX_FENCE + " "
            + "FROM jobs WHERE state = 'QUEUED' AND queue = ? ORDER BY priority DESC, id LIMIT ?";

    private static final String LEASE =
            "UPDATE jobs SET state = 'RUNNING', attempt = attempt + 1, worker_id = ?, started_at = ?, "
                    + "lease_expires_at = ?, cancel_requested = 0, fence = fence + 1 WHERE rowid = ? AND state = 'QUEUED' RETURNING "
                    + JobRow.RETURNING;
    private static final String ROW = "SELECT " + JobRow.SELECT + " FROM jobs WHERE rowid = ?";
    private static final String PAUSED = "SELECT queue FROM paused_queues";
    private static final Comparator<Job> ORDER =
            Comparator.comparingInt(Job::priority).reversed().thenComparing(Job::id);

    private static final int PROMOTE_PER_FETCH = 1000;

    private SqliteClaims() {}

    static List<Job> claim(SqliteConnection db, ClaimRequest r, Instant now) throws SQLException {
        // Bounded, so a large backlog of due jobs is promoted over several fetches, never in one long transaction.
        SqliteSweeps.promote(db, r.queues(), Math.max(PROMOTE_PER_FETCH, r.limit()), now);
        Set<String> paused = paused(db);
        var out = new ArrayList<Job>(r.limit());
        long leaseEnd = now.plus(r.leaseDuration()).toEpochMilli();
        for (String queue : r.queues()) {
            if (paused.contains(queue)) continue;
            while (out.size() < r.limit()) {
                int want = r.limit() - out.size();
                PreparedStatement ps = db.prepare(CANDIDATES);
                ps.setString(1, queue);
                ps.setInt(2, want);
                var leasable = new ArrayList<Long>();
                var unleasable = new ArrayList<Long>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) (rs.getInt(2) == 1 ? leasable : unleasable).add(rs.getLong(1));
                }
                int rows = leasable.size() + unleasable.size();
                var got = new ArrayList<Job>();
                var bad = new ArrayList<JobRow>();
                for (long rowid : unleasable) bad.add(unleasable(db, rowid));
                PreparedStatement lease = db.prepare(LEASE);
                for (long rowid : leasable) {
                    lease.setString(1, r.workerId());
                    lease.setLong(2, now.toEpochMilli());
                    lease.setLong(3, leaseEnd);
                    lease.setLong(4, rowid);
                    try (ResultSet rs = lease.executeQuery()) {
                        if (!rs.next()) continue;
                        JobRow row = JobRow.readToRun(rs);
                        if (row.corrupt()) bad.add(row);
                        else got.add(row.job());
                    }
                }
                for (JobRow row : bad) SqliteQuarantine.apply(db, row, now);
                got.sort(ORDER);
                out.addAll(got);
                // Only a batch thinned by bad rows is worth another pass; a short batch means the queue is dry.
                if (bad.isEmpty() || rows < want) break;
            }
        }
        return out;
    }

    /** A candidate the lease cannot work on, read whole for its quarantine. */
    private static JobRow unleasable(SqliteConnection db, long rowid) throws SQLException {
        PreparedStatement ps = db.prepare(ROW);
        ps.setLong(1, rowid);
        try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            return JobRow.readBad(rs, "id, attempt or fence out of what a lease can count from");
        }
    }

    /**
     * A cheap look on the reader connection: is anything in these queues due? Idle fetchers poll often,
     * and asking here first keeps them from taking the file's write lock only to find nothing.
     */
    static boolean anyDue(SqliteConnection db, List<String> queues, Instant now) throws SQLException {
        String in = "?,".repeat(queues.size()).replaceAll(",$", "");
        String live = " AND queue NOT IN (SELECT queue FROM paused_queues)";
        PreparedStatement ps = db.prepare(
                "SELECT EXISTS (SELECT 1 FROM jobs WHERE state = 'QUEUED' AND queue IN (" + in + ")" + live + ") "
                        + "OR EXISTS (SELECT 1 FROM jobs WHERE state = 'SCHEDULED' AND scheduled_at <= ? AND queue IN ("
                        + in + ")" + live + ")");
        int i = 1;
        for (String q : queues) ps.setString(i++, q);
        ps.setLong(i++, now.toEpochMilli());
        for (String q : queues) ps.setString(i++, q);
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() && rs.getInt(1) != 0;
        }
    }

    static Set<String> paused(SqliteConnection db) throws SQLException {
        var out = new HashSet<String>();
        try (ResultSet rs = db.prepare(PAUSED).executeQuery()) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }
}
