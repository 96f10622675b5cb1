package dev.kyu.broker.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.kyu.KyuException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import javax.sql.DataSource;

/**
 * The engine's connection pool. Runs work on a pooled connection, alone or in a transaction, and turns
 * driver errors into Kyu's:
 * bad data (SQL state class 22) into {@link KyuException.InvalidInput}, the rest into
 * {@link KyuException.BrokerUnavailable}. Nothing is changed by a call that failed: each call is one
 * statement or one transaction.
 */
final class PgPool implements AutoCloseable {
    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private final HikariDataSource pool;
    private final PgSettings settings;
    /** System.nanoTime() of the last failure of the server or the network; 0 when none yet. */
    private volatile long lastOutageNanos;

    private PgPool(HikariDataSource pool, PgSettings settings) {
        this.pool = pool;
        this.settings = settings;
    }

    /** Opens the pool with its first connection made now, so that a bad URL or password fails at open. */
    static PgPool open(PgSettings st) {
        var hc = new HikariConfig();
        hc.setPoolName("kyu-postgres-" + st.schema());
        hc.setJdbcUrl(st.jdbcUrl());
        hc.setDataSourceProperties(st.driverProperties());
        hc.setMaximumPoolSize(st.poolSize());
        hc.setMinimumIdle(Math.min(2, st.poolSize()));
        hc.setConnectionTimeout(st.connectTimeout().toMillis());
        hc.setValidationTimeout(Math.min(st.connectTimeout().toMillis(), 3000));
        hc.setInitializationFailTimeout(1);
        try {
            return new PgPool(new HikariDataSource(hc), st);
        } catch (RuntimeException e) {
            throw PgErrors.atOpen(st, e);
        }
    }

    /** The pooled connections, for work that translates its own errors (opening, the autovacuum check, tests). */
    DataSource dataSource() {
        return pool;
    }

    @Override
    public void close() {
        pool.close();
    }

    <T> T call(String what, Work<T> work) {
        try (Connection c = pool.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw translate(what, e);
        }
    }

    /**
     * As {@link #call}, for work that is one statement, which is run again when PostgreSQL chose it as a
     * deadlock's victim: the statement was rolled back whole, so running it again is what the caller asked
     * for. Statements that end jobs lock the jobs and then their dependents, each set in id order; two of
     * them over different sets (a cancel of a workflow's steps while a step completes) can still meet in
     * opposite orders.
     */
    <T> T statement(String what, Work<T> work) {
        for (int attempt = 1; ; attempt++) {
            try (Connection c = pool.getConnection()) {
                return work.run(c);
            } catch (SQLException e) {
                if (attempt < DEADLOCK_TRIES && DEADLOCK.equals(e.getSQLState())) continue;
                throw translate(what, e);
            }
        }
    }

    private static final String DEADLOCK = "40P01";
    private static final int DEADLOCK_TRIES = 3;

    /** Runs the work in one transaction; one that PostgreSQL rolled back as a deadlock's victim is run again. */
    <T> T inTransaction(String what, Work<T> work) {
        for (int attempt = 1; ; attempt++) {
            try {
                return inTransactionOnce(work);
            } catch (SQLException e) {
                if (attempt < DEADLOCK_TRIES && DEADLOCK.equals(e.getSQLState())) continue;
                throw translate(what, e);
            }
        }
    }

    private <T> T inTransactionOnce(Work<T> work) throws SQLException {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                T out = work.run(c);
                c.commit();
                return out;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException ignored) {
                    // the connection is broken; the pool drops it
                }
                throw e;
            } finally {
                try {
                    c.setAutoCommit(true);
                } catch (SQLException ignored) {
                    // the pool resets or drops it
                }
            }
        }
    }

    KyuException translate(String what, SQLException e) {
        String state = e.getSQLState();
        if ("23505".equals(state) && String.valueOf(e.getMessage()).contains("kyu_jobs_pkey")) {
            return new KyuException.InvalidInput(
                    "cannot " + what + ": a job with the same id exists already (" + detail(e)
                            + "); nothing was stored",
                    e);
        }
        if (state != null && state.startsWith("22")) {
            return new KyuException.InvalidInput(
                    "PostgreSQL broker refused to " + what + ": " + firstLine(e.getMessage()), e);
        }
        lastOutageNanos = System.nanoTime() | 1; // never 0
        return PgErrors.failed(what, settings, e);
    }

    /** True when a call failed for want of the server within the last {@code nanos}. */
    boolean outageWithin(long nanos) {
        long last = lastOutageNanos;
        return last != 0 && System.nanoTime() - last < nanos;
    }

    static Array texts(Connection c, Collection<String> values) throws SQLException {
        return c.createArrayOf("text", values.toArray(new String[0]));
    }

    static Array ints(Connection c, Collection<Integer> values) throws SQLException {
        return c.createArrayOf("int4", values.toArray(new Integer[0]));
    }

    static Array longs(Connection c, Collection<Long> values) throws SQLException {
        return c.createArrayOf("int8", values.toArray(new Long[0]));
    }

    /** The server's detail line, e.g. "Key (id)=(…) already exists.", when the driver has it. */
    private static String detail(SQLException e) {
        if (e instanceof org.postgresql.util.PSQLException p
                && p.getServerErrorMessage() != null
                && p.getServerErrorMessage().getDetail() != null) {
            return p.getServerErrorMessage().getDetail();
        }
        return firstLine(e.getMessage());
    }

    private static String firstLine(String m) {
        if (m == null) return "";
        int nl = m.indexOf('\n');
        return nl >= 0 ? m.substring(0, nl) : m;
    }
}
