package dev.kyu.broker.postgres;

import dev.kyu.job.Job;
import dev.kyu.job.JobIds;
import dev.kyu.job.JobState;
import dev.kyu.spi.JobQuery;
import dev.kyu.spi.QueueInfo;
import dev.kyu.spi.StatsBucket;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Reads: jobs by id or by filter, awaiting a job's end, queue listings and counts, statistics and the
 * database's clock. A corrupt row met by a read is quarantined ({@link PgQuarantine}) and the read made
 * once more, so the answer shows it FAILED.
 */
final class PgQueries {
    private final String s;
    private final PgPool db;
    private final PgWakeups wakeups;
    private final PgQuarantine quarantine;
    private final String getSql, getManySql, queueCountsSql, markAwaitedSql;

    PgQueries(String s, PgPool db, PgWakeups wakeups, PgQuarantine quarantine) {
        this.s = s;
        this.db = db;
        this.wakeups = wakeups;
        this.quarantine = quarantine;
        this.getSql = "SELECT %2$s FROM %1$s.kyu_jobs WHERE id = ?::uuid".formatted(s, JobRows.COLUMNS);
        this.getManySql = "SELECT %2$s FROM %1$s.kyu_jobs WHERE id = ANY(?::uuid[])".formatted(s, JobRows.COLUMNS);
        // one count per index: live states through the partial indexes fetch, promotion and rescue keep,
        // finished ones through kyu_jobs_done_by_queue (no index covers all of a queue's rows)
        this.queueCountsSql = """
                SELECT 'QUEUED', count(*) FROM %1$s.kyu_jobs WHERE state = 'QUEUED' AND queue = ?
                UNION ALL SELECT 'RUNNING', count(*) FROM %1$s.kyu_jobs WHERE state = 'RUNNING' AND queue = ?
                UNION ALL SELECT 'SCHEDULED', count(*) FROM %1$s.kyu_jobs WHERE state = 'SCHEDULED' AND queue = ?
                UNION ALL SELECT 'BLOCKED', count(*) FROM %1$s.kyu_jobs WHERE state = 'BLOCKED' AND queue = ?
                UNION ALL SELECT state, count(*) FROM %1$s.kyu_jobs WHERE state IN ('SUCCEEDED', 'FAILED', 'CANCELLED') AND queue = ?
                          GROUP BY state
                """.formatted(s);
        this.markAwaitedSql = "UPDATE " + s + ".kyu_jobs SET awaited = true WHERE id = ?::uuid AND NOT awaited"
                + " AND state NOT IN ('SUCCEEDED', 'FAILED', 'CANCELLED')";
    }

    Instant now() {
        return db.call("read the clock", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT clock_timestamp()");
                    ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getTimestamp(1).toInstant();
            }
        });
    }

    /**
     * Marks the job awaited once LISTEN is in place, then re-reads it whenever the end of a job awaited in
     * this process is announced (V6's triggers send {@code ended <id>} for marked rows only, so jobs nobody
     * awaits cost nothing). The mark is committed before the read: a job that ends after it announces its
     * end to a connection already listening, and one that ended before it is seen ended by the read. While
     * LISTEN is down, or with listen=false, it re-reads every poll interval.
     */
    Optional<Job> jobAwait(String id, Duration timeout) throws InterruptedException {
        if (!JobIds.isValid(id)) return Optional.empty();
        long deadline = System.nanoTime() + timeout.toNanos();
        wakeups.listenOnFirstUse();
        AwaitedJobs awaited = wakeups.awaited();
        awaited.add(id);
        try {
            boolean marked = false;
            while (true) {
                long seen = awaited.signal().generation();
                boolean listening = wakeups.listening();
                if (listening && !marked) {
                    markAwaited(id);
                    marked = true;
                }
                Optional<Job> job = jobGet(id);
                if (job.isEmpty() || job.get().state().isTerminal()) return job;
                long left = deadline - System.nanoTime();
                if (left <= 0 || wakeups.closed()) return job;
                Duration cap = wakeups.pollCap(listening);
                awaited.signal().awaitAfter(seen, Math.min(left, cap.toNanos()));
            }
        } finally {
            awaited.remove(id);
        }
    }

    private void markAwaited(String id) {
        db.call("mark job " + id + " awaited", c -> {
            try (PreparedStatement ps = c.prepareStatement(markAwaitedSql)) {
                ps.setString(1, id);
                return ps.executeUpdate();
            }
        });
    }

    Optional<Job> jobGet(String id) {
        if (!JobIds.isValid(id)) return Optional.empty();
        return db.call(
                "read job " + id,
                c -> quarantine.readRepairing(c, (conn, corrupt) -> {
                    var found = new ArrayList<Job>(1);
                    try (PreparedStatement ps = conn.prepareStatement(getSql)) {
                        ps.setString(1, id);
                        try (ResultSet rs = ps.executeQuery()) {
                            PgQuarantine.split(rs, false, found::add, corrupt);
                        }
                    }
                    return found.stream().findFirst();
                }));
    }

    /** One statement for all the ids. */
    List<Job> jobsGet(List<String> ids) {
        List<String> valid =
                ids.stream().filter(id -> id != null && JobIds.isValid(id)).toList();
        if (valid.isEmpty()) return List.of();
        return db.call(
                "read " + valid.size() + " job(s)",
                c -> quarantine.readRepairing(c, (conn, corrupt) -> {
                    Map<String, Job> found = new HashMap<>();
                    try (PreparedStatement ps = conn.prepareStatement(getManySql)) {
                        ps.setArray(1, PgPool.texts(conn, valid));
                        try (ResultSet rs = ps.executeQuery()) {
                            PgQuarantine.split(rs, false, j -> found.put(j.id(), j), corrupt);
                        }
                    }
                    var out = new ArrayList<Job>(valid.size());
                    for (String id : valid) {
                        Job j = found.get(id.toLowerCase(Locale.ROOT));
                        if (j != null) out.add(j);
                    }
                    return out;
                }));
    }

    List<Job> jobsList(JobQuery q) {
        var params = new ArrayList<String>();
        String sql = listSql(q, params);
        return db.call(
                "list jobs",
                c -> quarantine.readRepairing(c, (conn, corrupt) -> {
                    var jobs = new ArrayList<Job>();
                    try (PreparedStatement ps = conn.prepareStatement(sql)) {
                        int i = 1;
                        for (String p : params) ps.setString(i++, p);
                        ps.setInt(i++, q.limit());
                        ps.setInt(i, q.offset());
                        try (ResultSet rs = ps.executeQuery()) {
                            PgQuarantine.split(rs, false, jobs::add, corrupt);
                        }
                    }
                    return jobs;
                }));
    }

    /**
     * The listing's statement; its text parameters are added to {@code params}, then come LIMIT and OFFSET.
     * Package-private for the plan test.
     */
    String listSql(JobQuery q, List<String> params) {
        var where = new ArrayList<String>();
        // a literal (an enum name, safe to inline), so the planner can prove a partial index's predicate
        if (q.state() != null) where.add("state = '" + q.state().name() + "'");
        if (q.queue() != null) {
            where.add("queue = ?");
            params.add(q.queue());
        }
        if (q.task() != null) {
            where.add("task = ?");
            params.add(q.task());
        }
        if (q.text() != null && !q.text().isBlank()) {
            where.add(
                    "(strpos(id::text, lower(?)) > 0 OR strpos(lower(task), lower(?)) > 0 OR strpos(lower(args), lower(?)) > 0 "
                            + "OR strpos(lower(errors), lower(?)) > 0)");
            for (int i = 0; i < 4; i++) params.add(q.text());
        }
        // The cursor is compared as a uuid, the id column's type: uuid order is the byte order, which for
        // lowercase hex text (what JobQuery makes of the cursor) is String order, the order the listing
        // promises; and the primary key's index then serves the range, so a deep page reads what the first does.
        if (q.after() != null) {
            where.add("id < ?::uuid");
            params.add(q.after());
        }
        return "SELECT " + JobRows.COLUMNS + " FROM " + s + ".kyu_jobs"
                + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
                + " ORDER BY id DESC LIMIT ? OFFSET ?";
    }

    /** Rows in a state this version does not know are quarantined first, so every queue's counts add up. */
    List<QueueInfo> queuesList() {
        return db.call("list queues", c -> {
            quarantine.sweepUnknownStates(c);
            Map<String, Map<JobState, Long>> counts = new TreeMap<>();
            Map<String, Instant> oldest = new HashMap<>();
            Map<String, Boolean> paused = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT queue, state, count(*), min(scheduled_at) FROM " + s
                            + ".kyu_jobs GROUP BY queue, state");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    JobState st = known(rs.getString(2));
                    if (st == null) continue;
                    counts.computeIfAbsent(rs.getString(1), k -> new EnumMap<>(JobState.class))
                            .merge(st, rs.getLong(3), Long::sum);
                    if (st == JobState.QUEUED) oldest.put(rs.getString(1), JobRows.instant(rs, 4));
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT queue, paused FROM " + s + ".kyu_queues");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    paused.put(rs.getString(1), rs.getBoolean(2));
                    if (rs.getBoolean(2)) counts.computeIfAbsent(rs.getString(1), k -> new EnumMap<>(JobState.class));
                }
            }
            var out = new ArrayList<QueueInfo>();
            counts.forEach((queue, m) ->
                    out.add(new QueueInfo(queue, paused.getOrDefault(queue, false), m, oldest.get(queue))));
            return out;
        });
    }

    Map<JobState, Long> queueCounts(String queue) {
        return db.call("count queue " + queue, c -> {
            var m = new EnumMap<JobState, Long>(JobState.class);
            for (JobState st : JobState.values()) m.put(st, 0L);
            try (PreparedStatement ps = c.prepareStatement(queueCountsSql)) {
                for (int i = 1; i <= 5; i++) ps.setString(i, queue);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        JobState st = known(rs.getString(1));
                        if (st != null) m.merge(st, rs.getLong(2), Long::sum);
                    }
                }
            }
            return m;
        });
    }

    private static JobState known(String state) {
        try {
            return JobState.valueOf(state);
        } catch (RuntimeException e) {
            return null;
        }
    }

    List<StatsBucket> statsHistory(Instant since, String queue) {
        return db.call("read statistics", c -> {
            String sql = "SELECT minute, queue, succeeded, failed, retried FROM " + s
                    + ".kyu_stats WHERE minute >= date_trunc('minute', ?::timestamptz)"
                    + (queue == null ? "" : " AND queue = ?") + " ORDER BY minute, queue";
            var out = new ArrayList<StatsBucket>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, (since == null ? Instant.EPOCH : since).toString());
                if (queue != null) ps.setString(2, queue);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new StatsBucket(
                                JobRows.instant(rs, 1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)));
                    }
                }
            }
            return out;
        });
    }
}
