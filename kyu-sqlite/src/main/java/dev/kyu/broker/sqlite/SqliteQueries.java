package dev.kyu.broker.sqlite;

import dev.kyu.job.Job;
import dev.kyu.job.JobState;
import dev.kyu.spi.JobQuery;
import dev.kyu.spi.QueueInfo;
import dev.kyu.spi.StatsBucket;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The read side for the dashboard, the CLI and awaits, run on the reader connection. Rows are read without
 * trusting them ({@link JobRow}); every read that returns jobs hands its rows to
 * {@link SqliteQuarantine#healed}, so a corrupt row is quarantined rather than returned or thrown over.
 */
final class SqliteQueries {
    /** How many of the newest jobs a text search looks through. */
    static final int TEXT_SEARCH_WINDOW = 50_000;

    private static final String GET = "SELECT " + JobRow.SELECT + " FROM jobs WHERE id = ?";

    private static final String GET_ALL =
            "SELECT " + JobRow.SELECT + " FROM jobs WHERE id IN (SELECT value FROM json_each(?))";
    private static final String BY_ROWID = "SELECT " + JobRow.SELECT + " FROM jobs WHERE rowid = ?";

    private SqliteQueries() {}

    static Optional<Job> findJob(SqliteStore store, String id) {
        if (id == null) return Optional.empty();
        JobRow row = store.read("get job", db -> get(db, id));
        if (row == null) return Optional.empty();
        return SqliteQuarantine.healed(store, List.of(row)).stream().findFirst();
    }

    /** The jobs of these ids that exist, in the order asked, from one query. */
    static List<Job> findJobs(SqliteStore store, List<String> ids) {
        if (ids.isEmpty()) return List.of();
        List<JobRow> rows = store.read("get jobs", db -> getAll(db, ids));
        var byId = new HashMap<String, Job>();
        for (Job j : SqliteQuarantine.healed(store, rows)) byId.put(j.id(), j);
        var out = new ArrayList<Job>(ids.size());
        for (String id : ids) {
            Job j = id == null ? null : byId.get(id);
            if (j != null) out.add(j);
        }
        return out;
    }

    static List<Job> listJobs(SqliteStore store, JobQuery query) {
        List<Job> jobs = SqliteQuarantine.healed(store, store.read("list jobs", db -> list(db, query)));
        // A quarantined job is FAILED now: a state filter it no longer matches drops it.
        return query.state() == null
                ? jobs
                : jobs.stream().filter(j -> j.state() == query.state()).toList();
    }

    /** Every queue with its counts; rows in a state the engine does not write are quarantined first, then counted. */
    static List<QueueInfo> listQueues(SqliteStore store) {
        Counts counts = store.read("list queues", SqliteQueries::counts);
        if (counts.badStates()) {
            SqliteQuarantine.healed(store, store.read("list queues", SqliteQueries::badStateRows));
            counts = store.read("list queues", SqliteQueries::counts);
        }
        var out = new ArrayList<QueueInfo>();
        for (var e : counts.byQueue().entrySet()) {
            out.add(new QueueInfo(
                    e.getKey(),
                    counts.paused().contains(e.getKey()),
                    e.getValue(),
                    counts.oldest().get(e.getKey())));
        }
        return out;
    }

    static JobRow get(SqliteConnection db, String id) throws SQLException {
        PreparedStatement ps = db.prepare(GET);
        ps.setString(1, id);
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? JobRow.read(rs) : null;
        }
    }

    /** The rows of these ids that exist, in no particular order: one statement, each id looked up by primary key. */
    static List<JobRow> getAll(SqliteConnection db, List<String> ids) throws SQLException {
        PreparedStatement ps = db.prepare(GET_ALL);
        ps.setString(
                1,
                SqliteJobCodec.idsToJson(
                        ids.stream().filter(java.util.Objects::nonNull).toList()));
        var out = new ArrayList<JobRow>(ids.size());
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) out.add(JobRow.read(rs));
        }
        return out;
    }

    /** The row a read saw, found again by its rowid: its id may be one no text lookup matches. */
    static JobRow byRowid(SqliteConnection db, long rowid) throws SQLException {
        PreparedStatement ps = db.prepare(BY_ROWID);
        ps.setLong(1, rowid);
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? JobRow.read(rs) : null;
        }
    }

    static List<JobRow> list(SqliteConnection db, JobQuery q) throws SQLException {
        var sql = new StringBuilder("SELECT ").append(JobRow.SELECT).append(" FROM jobs WHERE 1 = 1");
        var params = new ArrayList<Object>();
        if (q.state() != null) {
            sql.append(" AND state = ?");
            params.add(q.state().name());
        }
        if (q.queue() != null) {
            sql.append(" AND queue = ?");
            params.add(q.queue());
        }
        if (q.task() != null) {
            sql.append(" AND task = ?");
            params.add(q.task());
        }
        // ids are stored as lowercase text and compared by the BINARY collation: Java's string order for them
        if (q.after() != null) {
            sql.append(" AND id < ?");
            params.add(q.after());
        }
        if (q.text() != null && !q.text().isEmpty()) {
            // A substring search cannot use an index: it looks at the newest TEXT_SEARCH_WINDOW jobs only.
            sql.append(" AND id >= coalesce((SELECT id FROM jobs ORDER BY id DESC LIMIT 1 OFFSET ")
                    .append(TEXT_SEARCH_WINDOW - 1)
                    .append(
                            "), '') AND (instr(id, lower(?)) > 0 OR instr(lower(task), lower(?)) > 0 OR instr(lower(args), lower(?)) > 0"
                                    + " OR instr(lower(errors), lower(?)) > 0)"); // any case, as on the other engines
            for (int i = 0; i < 4; i++) params.add(q.text());
        }
        sql.append(" ORDER BY id DESC LIMIT ? OFFSET ?");
        params.add(q.limit());
        params.add(q.offset());
        PreparedStatement ps = db.prepare(sql.toString());
        for (int i = 0; i < params.size(); i++) ps.setObject(i + 1, params.get(i));
        var out = new ArrayList<JobRow>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) out.add(JobRow.read(rs));
        }
        return out;
    }

    /** Per-queue, per-state counts; states the engine does not know are returned under {@code badStates}. */
    record Counts(
            Map<String, Map<JobState, Long>> byQueue,
            Set<String> paused,
            Map<String, Instant> oldest,
            boolean badStates) {}

    static Counts counts(SqliteConnection db) throws SQLException {
        var byQueue = new TreeMap<String, Map<JobState, Long>>();
        boolean bad = false;
        try (ResultSet rs = db.prepare("SELECT state, queue, count(*) FROM jobs GROUP BY state, queue")
                .executeQuery()) {
            while (rs.next()) {
                Object state = rs.getObject(1);
                String queue = rs.getString(2);
                long n = rs.getLong(3);
                JobState s = null;
                if (state instanceof String text) {
                    try {
                        s = JobState.valueOf(text);
                    } catch (IllegalArgumentException e) {
                        s = null;
                    }
                }
                if (s == null) {
                    bad = true;
                    continue;
                }
                if (queue == null) continue;
                byQueue.computeIfAbsent(queue, k -> new EnumMap<>(JobState.class))
                        .merge(s, n, Long::sum);
            }
        }
        var paused = SqliteClaims.paused(db);
        for (String p : paused) byQueue.computeIfAbsent(p, k -> new EnumMap<>(JobState.class));
        var oldest = new TreeMap<String, Instant>();
        PreparedStatement ps = db.prepare("SELECT min(scheduled_at) FROM jobs WHERE state = 'QUEUED' AND queue = ?");
        for (var e : byQueue.entrySet()) {
            if (e.getValue().getOrDefault(JobState.QUEUED, 0L) == 0) continue;
            ps.setString(1, e.getKey());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next() && rs.getObject(1) instanceof Number n)
                    oldest.put(e.getKey(), Instant.ofEpochMilli(n.longValue()));
            }
        }
        return new Counts(byQueue, paused, oldest, bad);
    }

    /** One count per state, each a range of the jobs_state index for this queue: cheap enough to poll. */
    private static final String QUEUE_COUNTS;

    static {
        var sql = new StringBuilder("SELECT ");
        for (JobState s : JobState.values()) {
            if (s.ordinal() > 0) sql.append(", ");
            sql.append("(SELECT count(*) FROM jobs WHERE state = '")
                    .append(s.name())
                    .append("' AND queue = ?1)");
        }
        QUEUE_COUNTS = sql.toString();
    }

    /**
     * One queue's counts by state, without the oldest-job lookup or the scan over every queue that
     * {@link #counts} does; rows in a state the engine does not know are not counted.
     */
    static Map<JobState, Long> queueCounts(SqliteConnection db, String queue) throws SQLException {
        PreparedStatement ps = db.prepare(QUEUE_COUNTS);
        ps.setString(1, queue);
        var out = new EnumMap<JobState, Long>(JobState.class);
        try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            for (JobState s : JobState.values()) out.put(s, rs.getLong(s.ordinal() + 1));
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    /** Rows whose state is not one the engine writes (found through the state index, a few at a time). */
    static List<JobRow> badStateRows(SqliteConnection db) throws SQLException {
        var out = new ArrayList<JobRow>();
        String sql = "SELECT " + JobRow.SELECT + " FROM jobs WHERE state IS NULL OR state NOT IN "
                + "('BLOCKED', 'SCHEDULED', 'QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED') LIMIT 1000";
        try (ResultSet rs = db.prepare(sql).executeQuery()) {
            while (rs.next()) out.add(JobRow.read(rs));
        }
        return out;
    }

    static List<StatsBucket> stats(SqliteConnection db, Instant since, String queue) throws SQLException {
        long from = since == null ? Long.MIN_VALUE : Math.floorDiv(since.toEpochMilli(), 60_000L) * 60_000;
        PreparedStatement ps = queue == null
                ? db.prepare(
                        "SELECT minute, queue, succeeded, failed, retried FROM stats WHERE minute >= ? ORDER BY minute, queue")
                : db.prepare(
                        "SELECT minute, queue, succeeded, failed, retried FROM stats WHERE minute >= ? AND queue = ? ORDER BY minute");
        ps.setLong(1, from);
        if (queue != null) ps.setString(2, queue);
        var out = new ArrayList<StatsBucket>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new StatsBucket(
                        Instant.ofEpochMilli(rs.getLong(1)),
                        rs.getString(2),
                        rs.getLong(3),
                        rs.getLong(4),
                        rs.getLong(5)));
            }
        }
        return out;
    }
}
