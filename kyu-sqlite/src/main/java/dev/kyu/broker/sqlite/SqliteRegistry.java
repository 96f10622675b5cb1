package dev.kyu.broker.sqlite;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.kyu.spi.WorkerInfo;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The small shared state beside the jobs: the worker registry, the key-value table and named locks.
 *
 * <p>{@code now} is the transaction's time, read once its write lock is held ({@link SqliteStore#stamped}): every
 * time this class stamps is {@code now} or counted from it, so stamps follow commit order.
 */
final class SqliteRegistry {
    private static final ObjectMapper WORKERS = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private SqliteRegistry() {}

    /** Stores the worker's report, stamped with the heartbeat time {@code now} it also carries. */
    static void heartbeat(SqliteConnection db, WorkerInfo info, Instant now) throws SQLException {
        String report;
        try {
            report = WORKERS.writeValueAsString(info.withHeartbeatAt(now));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("worker report for " + info.id() + " cannot be written as JSON", e);
        }
        PreparedStatement ps = db.prepare("INSERT OR REPLACE INTO workers (id, info, heartbeat_at) VALUES (?, ?, ?)");
        ps.setString(1, info.id());
        ps.setString(2, report);
        ps.setLong(3, now.toEpochMilli());
        ps.executeUpdate();
    }

    /** Every readable worker report, by id; a report that no longer parses is skipped, not fatal. */
    static List<WorkerInfo> workers(SqliteConnection db) throws SQLException {
        var out = new ArrayList<WorkerInfo>();
        try (ResultSet rs = db.prepare("SELECT info FROM workers ORDER BY id").executeQuery()) {
            while (rs.next()) {
                try {
                    out.add(WORKERS.readValue(rs.getString(1), WorkerInfo.class));
                } catch (Exception e) {
                    // skipped: a garbled report must not hide the others
                }
            }
        }
        return out;
    }

    static void removeWorker(SqliteConnection db, String id) throws SQLException {
        PreparedStatement ps = db.prepare("DELETE FROM workers WHERE id = ?");
        ps.setString(1, id);
        ps.executeUpdate();
    }

    static Optional<String> kvGet(SqliteConnection db, String key) throws SQLException {
        PreparedStatement ps = db.prepare("SELECT value FROM kv WHERE key = ?");
        ps.setString(1, key);
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
        }
    }

    static void kvPut(SqliteConnection db, String key, String value) throws SQLException {
        PreparedStatement ps = db.prepare("INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)");
        ps.setString(1, key);
        ps.setString(2, value);
        ps.executeUpdate();
    }

    static void kvDelete(SqliteConnection db, String key) throws SQLException {
        PreparedStatement ps = db.prepare("DELETE FROM kv WHERE key = ?");
        ps.setString(1, key);
        ps.executeUpdate();
    }

    /** One conditional statement (run inside the write transaction): true when it changed the key as asked. */
    static boolean kvCompareAndSet(SqliteConnection db, String key, String expected, String value) throws SQLException {
        PreparedStatement ps;
        if (expected == null && value == null) {
            ps = db.prepare("SELECT NOT EXISTS (SELECT 1 FROM kv WHERE key = ?)");
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
        if (expected == null) {
            ps = db.prepare("INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING");
            ps.setString(1, key);
            ps.setString(2, value);
        } else if (value == null) {
            ps = db.prepare("DELETE FROM kv WHERE key = ? AND value = ?");
            ps.setString(1, key);
            ps.setString(2, expected);
        } else {
            ps = db.prepare("UPDATE kv SET value = ? WHERE key = ? AND value = ?");
            ps.setString(1, value);
            ps.setString(2, key);
            ps.setString(3, expected);
        }
        return ps.executeUpdate() == 1;
    }

    /** A range scan from the prefix on the primary key, stopped at the first key past it. */
    static Map<String, String> kvList(SqliteConnection db, String prefix) throws SQLException {
        var out = new LinkedHashMap<String, String>();
        PreparedStatement ps = db.prepare("SELECT key, value FROM kv WHERE key >= ? ORDER BY key");
        ps.setString(1, prefix);
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String k = rs.getString(1);
                if (!k.startsWith(prefix)) break;
                out.put(k, rs.getString(2));
            }
        }
        return out;
    }

    static boolean lockTry(SqliteConnection db, String name, String owner, Duration ttl, Instant now)
            throws SQLException {
        PreparedStatement find = db.prepare("SELECT owner, expires_at FROM locks WHERE name = ?");
        find.setString(1, name);
        try (ResultSet rs = find.executeQuery()) {
            if (rs.next() && !rs.getString(1).equals(owner) && rs.getLong(2) > now.toEpochMilli()) return false;
        }
        PreparedStatement ps = db.prepare("INSERT OR REPLACE INTO locks (name, owner, expires_at) VALUES (?, ?, ?)");
        ps.setString(1, name);
        ps.setString(2, owner);
        ps.setLong(3, now.plus(ttl).toEpochMilli());
        ps.executeUpdate();
        return true;
    }

    static void lockRelease(SqliteConnection db, String name, String owner) throws SQLException {
        PreparedStatement ps = db.prepare("DELETE FROM locks WHERE name = ? AND owner = ?");
        ps.setString(1, name);
        ps.setString(2, owner);
        ps.executeUpdate();
    }
}
