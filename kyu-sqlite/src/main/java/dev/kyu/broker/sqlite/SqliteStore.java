package dev.kyu.broker.sqlite;

import dev.kyu.KyuException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import org.sqlite.SQLiteConfig;

/**
 * Owns the connections to one database file: a single writer connection guarded by a lock (SQLite
 * allows one writer at a time anyway, so more writer connections in one process would only queue
 * inside SQLite) and a reader connection for queries, which in WAL mode never waits for the writer.
 *
 * <p>Writes run as {@code BEGIN IMMEDIATE} transactions so the write lock is taken up front and a
 * transaction never fails half-way for want of it. SQLite waits up to {@code busy_timeout} for another
 * process's lock; contention it reports at once is retried as a whole with bounded, jittered back-off.
 * A lock held past {@code busy_timeout} ends the call with {@link KyuException.BrokerUnavailable}, so a
 * call waits at most about twice {@code busy_timeout} for another process.
 *
 * <p>A write that stamps times ({@link #stamped}) reads the clock after {@code BEGIN IMMEDIATE}, once the
 * write lock is held: stamps then follow commit order, because a writer that waited for the lock reads
 * the clock after every writer that committed before it. A retried transaction reads it again.
 */
final class SqliteStore implements AutoCloseable {
    private static final int MAX_TRIES = 8;
    /** Changes no row, but as a write it takes the file's write lock for the transaction it runs in. */
    private static final String TAKE_WRITE_LOCK = "DELETE FROM locks WHERE 0";

    private final SqliteOptions options;
    private final String label;
    private final Clock clock;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final ReentrantLock readLock = new ReentrantLock();
    private final SqliteConnection writer;
    private final SqliteConnection reader;
    private volatile boolean closed;

    private SqliteStore(
            SqliteOptions options, String label, Clock clock, SqliteConnection writer, SqliteConnection reader) {
        this.options = options;
        this.label = label;
        this.clock = clock;
        this.writer = writer;
        this.reader = reader;
    }

    /**
     * Opens, configures and migrates the file. Every way this can fail is one line: a file held locked by
     * another process past the busy timeout is BrokerUnavailable (try again later), the rest BrokerConfig.
     */
    static SqliteStore open(SqliteOptions options, Clock clock) {
        Path path = options.path().toAbsolutePath().normalize();
        String label = path.toString();
        Path dir = path.getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            throw new KyuException.BrokerConfig(
                    "cannot open sqlite database " + label + ": folder " + dir + " does not exist");
        }
        if (Files.isDirectory(path)) {
            throw new KyuException.BrokerConfig(
                    "cannot open sqlite database " + label + ": it is a folder, not a file");
        }
        if (Files.exists(path) && !Files.isWritable(path)) {
            throw new KyuException.BrokerConfig("cannot open sqlite database " + label + ": the file is not writable");
        }
        SqliteConnection writer = null, reader = null;
        try {
            writer = connect(path, options);
            int found = SqliteSchema.check(writer, options.shared());
            enableWal(writer, options);
            // A file at the current version needs no write lock to open: a reader (kyu inspect) gets in
            // while another process holds a long write.
            if (found < SqliteSchema.VERSION) migrate(writer, options);
            reader = connect(path, options);
            return new SqliteStore(options, label, clock, writer, reader);
        } catch (SQLException e) {
            closeQuietly(writer);
            closeQuietly(reader);
            if (SqliteErrors.isBusy(e)) {
                throw new KyuException.BrokerUnavailable(
                        "sqlite database " + label + " is locked by another process for longer than busyTimeout ("
                                + options.busyTimeout().toMillis() + " ms): " + SqliteErrors.oneLine(e),
                        e);
            }
            int code = SqliteErrors.code(e);
            String why = code == SqliteErrors.NOTADB
                    ? "the file is not a SQLite database"
                    : code == SqliteErrors.READONLY || code == SqliteErrors.PERM
                            ? "the file cannot be written (" + SqliteErrors.oneLine(e) + ")"
                            : SqliteErrors.oneLine(e);
            throw new KyuException.BrokerConfig("cannot open sqlite database " + label + ": " + why, e);
        } catch (SqliteSchema.ForeignFile e) {
            closeQuietly(writer);
            throw new KyuException.BrokerConfig("cannot open sqlite database " + label + ": " + e.getMessage());
        } catch (SqliteSchema.NewerSchema e) {
            closeQuietly(writer);
            closeQuietly(reader);
            throw new KyuException.BrokerConfig(
                    "cannot open sqlite database " + label + ": " + e.getMessage() + "; upgrade Kyu");
        }
    }

    private static SqliteConnection connect(Path path, SqliteOptions options) throws SQLException {
        var config = new SQLiteConfig();
        config.setBusyTimeout((int) options.busyTimeout().toMillis());
        config.setSynchronous(SQLiteConfig.SynchronousMode.valueOf(options.sync()));
        config.enforceForeignKeys(false);
        var db = new SqliteConnection(config.createConnection("jdbc:sqlite:" + path), true);
        db.exec("PRAGMA synchronous = " + options.sync());
        return db;
    }

    /** WAL is a property of the file; switching needs a brief exclusive lock, so retry while another opener holds it. */
    private static void enableWal(SqliteConnection db, SqliteOptions options) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try (ResultSet rs = db.connection().createStatement().executeQuery("PRAGMA journal_mode = WAL")) {
                String mode = rs.next() ? rs.getString(1) : "";
                if (!"wal".equalsIgnoreCase(mode)) {
                    throw new SQLException("could not switch to WAL journal mode (got '" + mode + "')");
                }
                return;
            } catch (SQLException e) {
                if (!SqliteErrors.isBusy(e) || attempt >= MAX_TRIES) throw e;
                pause(attempt);
            }
        }
    }

    private static void migrate(SqliteConnection db, SqliteOptions options) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try {
                db.exec("BEGIN IMMEDIATE");
                try {
                    SqliteSchema.migrate(db);
                    db.exec("COMMIT");
                    return;
                } catch (SQLException | RuntimeException e) {
                    try {
                        db.exec("ROLLBACK");
                    } catch (SQLException ignored) {
                        /* already rolled back */
                    }
                    throw e;
                }
            } catch (SQLException e) {
                if (!SqliteErrors.isBusy(e) || attempt >= MAX_TRIES) throw e;
                pause(attempt);
            }
        }
    }

    String label() {
        return label;
    }

    SqliteOptions options() {
        return options;
    }

    /** The injected clock's time, in the epoch milliseconds the file stores. */
    Instant now() {
        return Instant.ofEpochMilli(clock.millis());
    }

    /** {@link #write}, for work that stamps times: the clock is read inside the transaction, under the write lock. */
    <T> T stamped(String action, SqlStampedWork<T> work) {
        return write(action, db -> work.run(db, now()));
    }

    /**
     * {@link #onCallerConnection}, for work that stamps times: the clock is read inside the transaction,
     * under the write lock. In auto-commit mode that transaction is this store's {@code BEGIN IMMEDIATE};
     * the caller's own transaction may not hold the lock yet (SQLite takes it at the first write), so a
     * write that changes nothing takes it before the clock is read.
     */
    <T> T stampedOnCallerConnection(java.sql.Connection c, String action, SqlStampedWork<T> work) {
        return onCallerConnection(c, action, db -> {
            db.prepare(TAKE_WRITE_LOCK).executeUpdate();
            return work.run(db, now());
        });
    }

    /** A PRAGMA's value as the writer (or reader) connection sees it, to check the settings really in force. */
    String pragma(boolean writer, String name) {
        if (!name.matches("[a-z_]+")) throw new IllegalArgumentException("bad pragma name " + name);
        SqlWork<String> work = db -> {
            try (var rs = db.connection().createStatement().executeQuery("PRAGMA " + name)) {
                return rs.next() ? rs.getString(1) : null;
            }
        };
        return writer ? write("read pragma", work) : read("read pragma", work);
    }

    /**
     * Runs {@code work} in one write transaction, retried as a whole while the file is busy: SQLite reports
     * some contention at once, without waiting (a snapshot gone stale, a checkpoint), and a retry soon
     * gets through. A try that waited its whole busy timeout is not repeated: the lock is held by a
     * process that is frozen or stuck in a long write, and waiting longer would only hold up the caller.
     */
    <T> T write(String action, SqlWork<T> work) {
        writeLock.lock();
        try {
            checkOpen(action);
            long start = System.nanoTime();
            for (int attempt = 1; ; attempt++) {
                try {
                    writer.exec("BEGIN IMMEDIATE");
                    T result;
                    try {
                        result = work.run(writer);
                        writer.exec("COMMIT");
                    } catch (SQLException | RuntimeException | Error e) {
                        rollback(writer);
                        throw e;
                    }
                    return result;
                } catch (SQLException e) {
                    if (!SqliteErrors.isBusy(e)) throw SqliteErrors.unavailable(label, action, e);
                    if (attempt >= MAX_TRIES || waitedOut(start)) throw busy(action, start, attempt, e);
                    pauseOrFail(attempt, action, e);
                }
            }
        } finally {
            writeLock.unlock();
        }
    }

    private boolean waitedOut(long start) {
        return System.nanoTime() - start >= options.busyTimeout().toNanos();
    }

    /** The one line for a file that stayed locked: which file, for how long, and what usually causes it. */
    private KyuException.BrokerUnavailable busy(String action, long start, int tries, SQLException e) {
        long ms = (System.nanoTime() - start) / 1_000_000;
        return new KyuException.BrokerUnavailable(
                "sqlite broker " + label + ": cannot " + action
                        + ": another process held the file's write lock for " + ms + " ms (busyTimeout "
                        + options.busyTimeout().toMillis()
                        + " ms, " + tries + (tries == 1 ? " try" : " tries")
                        + "); a process that is stopped (SIGSTOP, a paused VM or container,"
                        + " a swap stall) while it holds the lock blocks every other one; nothing was changed ("
                        + SqliteErrors.oneLine(e) + ")",
                e);
    }

    /**
     * Runs {@code work} on the caller's own connection: inside the caller's open transaction, or, when
     * the connection is in auto-commit mode, inside one transaction of its own so the batch stays atomic.
     */
    <T> T onCallerConnection(java.sql.Connection c, String action, SqlWork<T> work) {
        try (SqliteConnection db = new SqliteConnection(c, false)) {
            if (!c.getAutoCommit()) return work.run(db);
            db.exec("BEGIN IMMEDIATE");
            try {
                T result = work.run(db);
                db.exec("COMMIT");
                return result;
            } catch (SQLException | RuntimeException | Error e) {
                rollback(db);
                throw e;
            }
        } catch (SQLException e) {
            throw SqliteErrors.unavailable(label, action, e);
        }
    }

    /** Runs a read on the reader connection (a consistent snapshot per statement, never blocked by writers). */
    <T> T read(String action, SqlWork<T> work) {
        readLock.lock();
        try {
            checkOpen(action);
            long start = System.nanoTime();
            for (int attempt = 1; ; attempt++) {
                try {
                    return work.run(reader);
                } catch (SQLException e) {
                    if (!SqliteErrors.isBusy(e)) throw SqliteErrors.unavailable(label, action, e);
                    if (attempt >= MAX_TRIES || waitedOut(start)) throw busy(action, start, attempt, e);
                    pauseOrFail(attempt, action, e);
                }
            }
        } finally {
            readLock.unlock();
        }
    }

    private void checkOpen(String action) {
        if (closed)
            throw new KyuException.BrokerUnavailable("sqlite broker " + label + " is closed (" + action + ")", null);
    }

    private void pauseOrFail(int attempt, String action, SQLException e) {
        try {
            pause(attempt);
        } catch (SQLException interrupted) {
            throw SqliteErrors.unavailable(label, action + " (interrupted while the file was busy)", e);
        }
    }

    /** Jittered exponential back-off, 5 ms doubling to at most 320 ms, so contending processes spread out. */
    private static void pause(int attempt) throws SQLException {
        long ceiling = 5L << Math.min(attempt - 1, 6);
        try {
            Thread.sleep(1 + ThreadLocalRandom.current().nextLong(ceiling));
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted", ie);
        }
    }

    private static void rollback(SqliteConnection db) {
        try {
            db.exec("ROLLBACK");
        } catch (SQLException ignored) {
            /* nothing was open */
        }
    }

    private static void closeQuietly(SqliteConnection db) {
        if (db != null) db.close();
    }

    @Override
    public void close() {
        closed = true;
        writeLock.lock();
        try {
            writer.close();
        } finally {
            writeLock.unlock();
        }
        readLock.lock();
        try {
            reader.close();
        } finally {
            readLock.unlock();
        }
    }
}
