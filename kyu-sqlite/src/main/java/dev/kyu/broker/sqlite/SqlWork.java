package dev.kyu.broker.sqlite;

import java.sql.SQLException;

/** A unit of work run on one connection inside one transaction (or one read). */
@FunctionalInterface
interface SqlWork<T> {
    T run(SqliteConnection db) throws SQLException;
}
