package dev.kyu.broker.sqlite;

import dev.kyu.job.Job;
import dev.kyu.spi.FetchRequest;
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
 */
final class Claims {
    private static final String CLAIM = "UPDATE jobs SET state = 'RUNNING', attempt = attempt + 1, worker_id = ?, started_at = ?, "
            + "lease_expires_at = ?, cancel_requested = 0, fence = fence + 1 WHERE id IN (SELECT id FROM jobs WHERE state = 'QUEUED' AND queue = ? "
            + "ORDER BY priority DESC, id LIMIT ?) RETURNING " + JobRow.COLUMNS;
    private static final String PAUSED = "SELECT queue FROM paused_queues";
    private static final Comparator<Job> ORDER = Comparator.comparingInt(Job::priority).reversed().thenComparing(Job::id);

    private static final int PROMOTE_PER_FETCH = 1000;

    private Claims() {}

    static List<Job> claim(Db db, FetchRequest r, Instant now) throws SQLException {
        // Bounded, so a large backlog of due jobs is promoted over several fetches, never in one long transaction.
        Maintenance.promote(db, r.queues(), Math.max(PROMOTE_PER_FETCH, r.limit()), now);
        Set<String> paused = paused(db);
        var out = new ArrayList<Job>(r.limit());
        long leaseEnd = now.plus(r.leaseDuration()).toEpochMilli();
        for (String queue : r.queues()) {
            if (paused.contains(queue)) continue;
            while (out.size() < r.limit()) {
                int want = r.limit() - out.size();
                PreparedStatement ps = db.prepare(CLAIM);
                ps.setString(1, r.workerId());
                ps.setLong(2, now.toEpochMilli());
                ps.setLong(3, leaseEnd);
                ps.setString(4, queue);
                ps.setInt(5, want);
                var got = new ArrayList<Job>();
                var bad = new ArrayList<JobRow>();
                int rows = 0;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows++;
                        JobRow row = JobRow.readToRun(rs);
                        if (row.corrupt()) bad.add(row); else got.add(row.job());
                    }
                }
                for (JobRow row : bad) Quarantine.apply(db, row, now);
                got.sort(ORDER);
                out.addAll(got);
                // Only a batch thinned by bad rows is worth another pass; a short batch means the queue is dry.
                if (bad.isEmpty() || rows < want) break;
            }
        }
        return out;
    }

    /**
     * A cheap look on the reader connection: is anything in these queues due? Idle fetchers poll often,
     * and asking here first keeps them from taking the file's write lock only to find nothing.
     */
    static boolean anyDue(Db db, List<String> queues, Instant now) throws SQLException {
        String in = "?,".repeat(queues.size()).replaceAll(",$", "");
        String live = " AND queue NOT IN (SELECT queue FROM paused_queues)";
        PreparedStatement ps = db.prepare("SELECT EXISTS (SELECT 1 FROM jobs WHERE state = 'QUEUED' AND queue IN (" + in + ")" + live + ") "
                + "OR EXISTS (SELECT 1 FROM jobs WHERE state = 'SCHEDULED' AND scheduled_at <= ? AND queue IN (" + in + ")" + live + ")");
        int i = 1;
        for (String q : queues) ps.setString(i++, q);
        ps.setLong(i++, now.toEpochMilli());
        for (String q : queues) ps.setString(i++, q);
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() && rs.getInt(1) != 0;
        }
    }

    static Set<String> paused(Db db) throws SQLException {
        var out = new HashSet<String>();
        try (ResultSet rs = db.prepare(PAUSED).executeQuery()) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }
}
