package dev.kyu.broker.postgres;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.kyu.KyuException;
import dev.kyu.spi.RateTake;
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

    /** One take: a batch of one. */
    RateTake.Taken kvTakeRate(RateTake t) {
        return kvTakeRates(List.of(t)).get(0);
    }

    /**
     * Takes in one statement ({@link RateTake} fixes the arithmetic; numeric keeps it exact, LEAST saturates it as
     * Java does): the rows locked in key order (two batches never wait on each other crosswise), each written from
     * what its lock saw, a state not there yet inserted. A take whose state another taker inserted first runs again
     * on that row. The commit does not wait for the disk (synchronous_commit off, for this statement only): a
     * limiter's state lost in a server crash only lets a few more starts through after it, and a flush per start
     * would cost more than the rest of the job. A batch naming a key twice is taken one take at a time, in order.
     */
    List<RateTake.Taken> kvTakeRates(List<RateTake> takes) {
        var keys = new java.util.HashSet<String>();
        for (RateTake t : takes) keys.add(t.key());
        if (keys.size() < takes.size()) {
            var out = new ArrayList<RateTake.Taken>(takes.size());
            for (RateTake t : takes) out.add(takeDistinct(List.of(t)).get(0));
            return out;
        }
        return takeDistinct(takes);
    }

    private List<RateTake.Taken> takeDistinct(List<RateTake> takes) {
        String kv = s + ".kyu_kv";
        String max = Long.toString(Long.MAX_VALUE);
        String sql =
                "WITH req AS (SELECT * FROM unnest(?::text[], ?::text[], ?::text[]::numeric[], ?::text[]::numeric[],"
                        + "   ?::text[]::numeric[], ?::text[]::int[]) WITH ORDINALITY AS r(key, rule, t_now, t_last, iv, cnt, ord)),"
                        + " old AS (SELECT key, value FROM " + kv
                        + " WHERE key IN (SELECT key FROM req) ORDER BY key FOR UPDATE),"
                        + " parsed AS (SELECT r.*, o.value IS NOT NULL AS present, o.value AS v, position(',' in o.value) AS p"
                        + "  FROM req r LEFT JOIN old o ON o.key = r.key),"
                        + " base AS (SELECT key, rule, ord, present, iv, cnt, t_last, GREATEST(t_now, CASE WHEN p > 0 THEN"
                        + "   CASE WHEN substr(v, p + 1) = rule AND substr(v, 1, p - 1) ~ '^[+-]?[0-9]+$' THEN"
                        + "   CASE WHEN substr(v, 1, p - 1)::numeric <= " + max
                        + " THEN substr(v, 1, p - 1)::numeric END END END)"
                        + "   AS tat0 FROM parsed),"
                        + " calc AS (SELECT *, CASE WHEN t_last >= " + max + " THEN cnt"
                        + "   ELSE 1 + LEAST(cnt - 1, GREATEST(0, div(t_last - tat0, iv))) END AS n FROM base),"
                        + " next AS (SELECT key, ord, present, tat0, n,"
                        + "   LEAST(tat0 + n * iv, " + max + ")::bigint::text || ',' || rule AS value FROM calc),"
                        + " ins AS (INSERT INTO " + kv
                        + " (key, value) SELECT key, value FROM next WHERE NOT present ORDER BY key"
                        + "  ON CONFLICT (key) DO NOTHING RETURNING key),"
                        + " upd AS (UPDATE " + kv
                        + " k SET value = n.value FROM next n WHERE k.key = n.key AND n.present"
                        + "  RETURNING k.key),"
                        + " lax AS (SELECT set_config('synchronous_commit', 'off', true) AS was)"
                        + " SELECT ord, tat0::bigint, n::int, present OR key IN (SELECT key FROM ins)"
                        + "  FROM next CROSS JOIN lax ORDER BY ord";
        int size = takes.size();
        String[] key = new String[size], rule = new String[size], now = new String[size], last = new String[size];
        String[] iv = new String[size], cnt = new String[size];
        for (int i = 0; i < size; i++) {
            RateTake t = takes.get(i);
            key[i] = t.key();
            rule[i] = t.rule();
            now[i] = Long.toString(t.now());
            last[i] = java.math.BigInteger.valueOf(t.now())
                    .add(java.math.BigInteger.valueOf(t.horizon()))
                    .add(java.math.BigInteger.valueOf(t.tolerance()))
                    .toString();
            iv[i] = Long.toString(t.interval());
            cnt[i] = Integer.toString(t.count());
        }
        RateTake.Taken[] out = new RateTake.Taken[size];
        db.call("take rate starts", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                String[][] columns = {key, rule, now, last, iv, cnt};
                for (int i = 0; i < columns.length; i++) ps.setArray(i + 1, c.createArrayOf("text", columns[i]));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        int i = rs.getInt(1) - 1;
                        if (rs.getBoolean(4)) out[i] = new RateTake.Taken(rs.getLong(2), rs.getInt(3));
                    }
                }
            }
            return null;
        });
        var lost = new ArrayList<Integer>();
        for (int i = 0; i < size; i++) if (out[i] == null) lost.add(i);
        if (!lost.isEmpty()) {
            List<RateTake.Taken> again =
                    takeDistinct(lost.stream().map(takes::get).toList());
            for (int i = 0; i < lost.size(); i++) out[lost.get(i)] = again.get(i);
        }
        return List.of(out);
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
