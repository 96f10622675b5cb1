package dev.kyu.broker.sqlite;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/**
 * One SQLite connection and its prepared statements, kept for the connection's life so the hot path
 * never re-parses SQL. Not thread-safe: {@link SqliteStore} hands it to one thread at a time.
 */
final class SqliteConnection implements AutoCloseable {
    private final Connection connection;
    private final boolean ownsConnection;
    private final Map<String, PreparedStatement> statements = new HashMap<>();

    SqliteConnection(Connection connection, boolean ownsConnection) {
        this.connection = connection;
        this.ownsConnection = ownsConnection;
    }

    Connection connection() {
        return connection;
    }

    PreparedStatement prepare(String sql) throws SQLException {
        PreparedStatement ps = statements.get(sql);
        if (ps == null) {
            ps = connection.prepareStatement(sql);
            statements.put(sql, ps);
        }
        return ps;
    }

    void exec(String sql) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute(sql);
        }
    }

    @Override
    public void close() {
        for (PreparedStatement ps : statements.values()) {
            try {
                ps.close();
            } catch (SQLException ignored) {
                /* closing anyway */
            }
        }
        statements.clear();
        if (ownsConnection)
            try {
                connection.close();
            } catch (SQLException ignored) {
                /* closing anyway */
            }
    }
}
