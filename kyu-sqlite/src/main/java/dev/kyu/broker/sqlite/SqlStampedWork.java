package dev.kyu.broker.sqlite;

import java.sql.SQLException;
import java.time.Instant;

/**
 * A unit of work run inside one write transaction that stamps times: {@code now} is the clock read once
 * the transaction holds the file's write lock, the one time every stamp of the write uses.
 */
@FunctionalInterface
interface SqlStampedWork<T> {
    T run(SqliteConnection db, Instant now) throws SQLException;
}
