package dev.kyu.broker.postgres;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.kyu.KyuException;
import dev.kyu.spi.WorkerInfo;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The small shared state beside the jobs: worker reports (kyu_workers), the key-value store (kyu_kv) and
 * leased locks (kyu_locks). Every call is one autocommit statement; times are the database's now().
 */
final class PgRegistry {
    private final String s;
    private final PgPool db;

    PgRegistry(String s, PgPool db) {
        this.s = s;
        this.db = db;
    }

    void workerHeartbeat(WorkerInfo info) {
        String json;
        try {
            json = JobRows.JSON.writeValueAsString(info.withHeartbeatAt(null));
        } catch (JsonProcessingException e) {
            throw new KyuException.InvalidInput("cannot write worker report of " + info.id() + " as JSON", e);
        }
        db.call("record worker heartbeat", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO " + s + ".kyu_workers (id, info, heartbeat_at) VALUES (?, ?, now()) "
                            + "ON CONFLICT (id) DO UPDATE SET info = excluded.info, heartbeat_at = excluded.heartbeat_at")) {
                ps.setString(1, info.id());
                ps.setString(2, json);
                ps.executeUpdate();
            }
            return null;
        });
    }

    List<WorkerInfo> workersList() {
        return db.call("list workers", c -> {
            var out = new ArrayList<WorkerInfo>();
            try (PreparedStatement ps =
                            c.prepareStatement("SELECT id, info, heartbeat_at FROM " + s + ".kyu_workers ORDER BY id");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    try {
                        WorkerInfo w = JobRows.JSON.readValue(rs.getString(2), WorkerInfo.class);
                        out.add(w.withHeartbeatAt(JobRows.instant(rs, 3)));
                    } catch (JsonProcessingException | RuntimeException e) {
                        // an unreadable report is left for pruning; the listing goes on
                    }
                }
            }
            return out;
        });
    }

    void workerRemove(String workerId) {
        count("remove worker " + workerId, "DELETE FROM " + s + ".kyu_workers WHERE id = ?", workerId);
    }

    Optional<String> kvGet(String key) {
        return db.call("read key " + key, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT value FROM " + s + ".kyu_kv WHERE key = ?")) {
                ps.setString(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.<String>empty();
                }
            }
        });
    }

    void kvPut(String key, String value) {
        count(
                "write key " + key,
                "INSERT INTO " + s
                        + ".kyu_kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                key,
                value);
    }

    void kvDelete(String key) {
        count("delete key " + key, "DELETE FROM " + s + ".kyu_kv WHERE key = ?", key);
    }

    /** One conditional statement each: a concurrent writer's change is seen by the row lock the UPDATE or DELETE waits for. */
    boolean kvCompareAndSet(String key, String expected, String value) {
        Objects.requireNonNull(key, "key");
        String kv = s + ".kyu_kv";
        if (expected == null && value == null) return kvGet(key).isEmpty();
        if (expected == null) {
            return count(
                            "set key " + key,
                            "INSERT INTO " + kv + " (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                            key,
                            value)
                    == 1;
        }
        if (value == null)
            return count("delete key " + key, "DELETE FROM " + kv + " WHERE key = ? AND value = ?", key, expected) == 1;
        return count(
                        "set key " + key,
                        "UPDATE " + kv + " SET value = ? WHERE key = ? AND value = ?",
                        value,
                        key,
                        expected)
                == 1;
    }

    Map<String, String> kvList(String prefix) {
        return db.call("list keys", c -> {
            var out = new TreeMap<String, String>();
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT key, value FROM " + s + ".kyu_kv WHERE left(key, ?) = ? ORDER BY key")) {
                ps.setInt(1, prefix.length());
                ps.setString(2, prefix);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.put(rs.getString(1), rs.getString(2));
                }
            }
            return out;
        });
    }

    /** Taken when free, expired, or already the owner's (which renews it). */
    boolean lockTry(String name, String owner, Duration ttl) {
        return db.call("take lock " + name, c -> {
            try (PreparedStatement ps =
                    c.prepareStatement("INSERT INTO " + s + ".kyu_locks AS l (name, owner, expires_at) "
                            + "VALUES (?, ?, now() + ? * interval '1 millisecond') ON CONFLICT (name) DO UPDATE "
                            + "SET owner = excluded.owner, expires_at = excluded.expires_at WHERE l.owner = excluded.owner OR l.expires_at <= now() "
                            + "RETURNING owner")) {
                ps.setString(1, name);
                ps.setString(2, owner);
                ps.setLong(3, Math.max(1, ttl.toMillis()));
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    void lockRelease(String name, String owner) {
        count("release lock " + name, "DELETE FROM " + s + ".kyu_locks WHERE name = ? AND owner = ?", name, owner);
    }

    /** Runs one statement with text parameters; the number of rows it changed. */
    private int count(String what, String sql, String... args) {
        return db.call(what, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < args.length; i++) ps.setString(i + 1, args[i]);
                return ps.executeUpdate();
            }
        });
    }
}
