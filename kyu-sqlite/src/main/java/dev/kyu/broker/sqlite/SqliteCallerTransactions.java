package dev.kyu.broker.sqlite;

import dev.kyu.KyuException;
import dev.kyu.spi.BrokerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Work done on the caller's own JDBC connection to the same file (a transactional enqueue or completion):
 * it commits or vanishes with the caller's transaction. Kyu sees no commit it did not make, so it wakes
 * this process's fetchers only when the connection was in auto-commit mode and the batch therefore got a
 * transaction of its own; otherwise fetchers see the change at their next poll.
 */
final class SqliteCallerTransactions {
    private static final String PREFIX = "jdbc:sqlite:";

    private final SqliteStore store;
    private final String url;
    private final Runnable wake;

    SqliteCallerTransactions(SqliteStore store, String url, Runnable wake) {
        this.store = store;
        this.url = url;
        this.wake = wake;
    }

    /** Runs {@code work} on {@code c}, after checking that {@code c} reaches this broker's file. */
    <T> T run(Connection c, String what, String action, SqlStampedWork<T> work) {
        checkSameFile(c, what);
        boolean ownTransaction;
        try {
            ownTransaction = c.getAutoCommit();
        } catch (SQLException e) {
            throw SqliteErrors.unavailable(store.label(), action, e);
        }
        T out = store.stampedOnCallerConnection(c, action, work);
        if (ownTransaction) wake.run(); // committed here, so fetchers in this process may look at once
        return out;
    }

    /** A connection to another file would write where this broker never looks: refused, whatever else it holds. */
    void checkSameFile(Connection c, String what) {
        String theirs;
        try {
            theirs = c.getMetaData().getURL();
        } catch (SQLException e) {
            throw new KyuException.InvalidInput(
                    "the connection given for " + what + " cannot be used: " + SqliteErrors.oneLine(e));
        }
        String file = theirs != null && theirs.startsWith(PREFIX) ? theirs.substring(PREFIX.length()) : null;
        if (file != null && file.contains("?")) file = file.substring(0, file.indexOf('?'));
        boolean same;
        try {
            same = file != null && Files.isSameFile(Path.of(file), Path.of(store.label()));
        } catch (IOException | InvalidPathException e) {
            same = false;
        }
        if (!same) {
            throw new KyuException.InvalidInput(
                    what + " on " + url + " needs a JDBC connection to the same file (" + store.label() + "), got "
                            + (theirs == null ? "an unknown connection" : BrokerConfig.redact(theirs)));
        }
    }
}
