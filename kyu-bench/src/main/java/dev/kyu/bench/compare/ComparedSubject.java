package dev.kyu.bench.compare;

import com.zaxxer.hikari.HikariDataSource;
import dev.kyu.bench.proc.ProcStats;
import dev.kyu.bench.subject.Subject;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** What the compared systems share: the PostgreSQL pool, enqueue counting, the recorded start times. */
abstract class ComparedSubject implements Subject {
    protected final String jdbcUrl;
    protected final HikariDataSource ds;
    protected final Map<String, AtomicLong> enqueued = new ConcurrentHashMap<>();

    ComparedSubject(String jdbcUrl) {
        this.jdbcUrl = jdbcUrl;
        this.ds = Pg.pool(jdbcUrl, 4);
        Pg.exec(ds, Pg.TIMES_DDL);
    }

    protected void counted(String queue, long n) {
        enqueued.computeIfAbsent(queue, q -> new AtomicLong()).addAndGet(n);
    }

    protected long enqueuedCount(String queue) {
        AtomicLong n = enqueued.get(queue);
        return n == null ? 0 : n.get();
    }

    @Override
    public List<JobTimes> times(String queue) {
        var out = new ArrayList<JobTimes>();
        try (Connection c = ds.getConnection();
                var ps = c.prepareStatement(
                        "select enqueued_micros, started_micros from kyu_bench_times where queue = ?")) {
            ps.setString(1, queue);
            try (var rs = ps.executeQuery()) {
                while (rs.next()) out.add(JobTimes.unleased(rs.getLong(1), rs.getLong(2)));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read start times: " + e.getMessage(), e);
        }
        return out;
    }

    protected void deleteTimes(String queue) {
        try (Connection c = ds.getConnection();
                var ps = c.prepareStatement("delete from kyu_bench_times where queue = ?")) {
            ps.setString(1, queue);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot delete start times: " + e.getMessage(), e);
        }
    }

    @Override
    public String note() {
        return null;
    }

    @Override
    public List<Long> serverPids() {
        return ProcStats.pidsNamed(List.of("postgres"));
    }

    @Override
    public void close() {
        ds.close();
    }
}
