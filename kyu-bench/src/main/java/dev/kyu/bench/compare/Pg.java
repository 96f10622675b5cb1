package dev.kyu.bench.compare;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** The PostgreSQL connection pool the compared systems run on, and a few plain statements on it. */
final class Pg {
    private Pg() {}

    static HikariDataSource pool(String jdbcUrl, int size) {
        var c = new HikariConfig();
        c.setJdbcUrl(jdbcUrl);
        c.setMaximumPoolSize(size);
        c.setPoolName("bench");
        return new HikariDataSource(c);
    }

    static void exec(HikariDataSource ds, String... sql) {
        try (Connection c = ds.getConnection();
                Statement s = c.createStatement()) {
            for (String q : sql) s.execute(q);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL statement failed: " + e.getMessage(), e);
        }
    }

    static long count(HikariDataSource ds, String sql, String arg) {
        try (Connection c = ds.getConnection();
                var ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL query failed: " + e.getMessage(), e);
        }
    }

    /** Where the worker JVMs of the compared systems leave each job's enqueue and start time (latency runs only). */
    static final String TIMES_DDL =
            "create table if not exists kyu_bench_times (queue text not null, enqueued_micros bigint not null, started_micros bigint not null)";
}
