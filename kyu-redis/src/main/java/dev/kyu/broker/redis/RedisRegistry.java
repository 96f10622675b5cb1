package dev.kyu.broker.redis;

import dev.kyu.broker.redis.Scripts.Script;
import dev.kyu.spi.RateTake;
import dev.kyu.spi.WorkerInfo;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The small shared state next to the jobs: the worker registry (one hash of JSON reports, stamped with
 * the server's time), the key-value store for schedules (one hash) and named locks (one key each, with a
 * TTL, taken and released by owner in a script). All single-key commands, so they work on a Cluster.
 */
final class RedisRegistry {
    private final RedisLink link;
    private final Keys keys;
    private final Scripts scripts;
    private final Faults faults;
    private final RedisSettings settings;
    private final Supplier<Instant> now;

    RedisRegistry(
            RedisLink link, Keys keys, Scripts scripts, Faults faults, RedisSettings settings, Supplier<Instant> now) {
        this.link = link;
        this.keys = keys;
        this.scripts = scripts;
        this.faults = faults;
        this.settings = settings;
        this.now = now;
    }

    void workerHeartbeat(WorkerInfo info) {
        String json = RedisJobCodec.encode(info.withHeartbeatAt(now.get()));
        faults.ride(
                "worker heartbeat",
                settings.outage(),
                () -> KeyTypes.expect(
                        link, keys.workers(), "hash", () -> link.sync().hset(keys.workers(), info.id(), json)));
    }

    List<WorkerInfo> workersList() {
        Map<String, String> all = faults.ride(
                "list workers",
                settings.outage(),
                () -> KeyTypes.expect(link, keys.workers(), "hash", () -> link.hgetall(keys.workers())));
        var out = new ArrayList<WorkerInfo>();
        for (String json : all.values()) {
            WorkerInfo w = RedisJobCodec.worker(json);
            if (w != null) out.add(w);
        }
        out.sort(Comparator.comparing(WorkerInfo::id));
        return out;
    }

    void workerRemove(String workerId) {
        faults.ride(
                "remove worker",
                settings.outage(),
                () -> KeyTypes.expect(link, keys.workers(), "hash", () -> link.hdel(keys.workers(), workerId)));
    }

    void pruneWorkers(Duration retention) {
        Instant cutoff = now.get().minus(retention);
        Map<String, String> all = faults.ride(
                "list workers",
                settings.outage(),
                () -> KeyTypes.expect(link, keys.workers(), "hash", () -> link.hgetall(keys.workers())));
        var silent = new ArrayList<String>();
        all.forEach((id, json) -> {
            WorkerInfo w = RedisJobCodec.worker(json);
            if (w == null || w.heartbeatAt() == null || w.heartbeatAt().isBefore(cutoff)) silent.add(id);
        });
        if (!silent.isEmpty()) {
            faults.ride(
                    "prune workers",
                    settings.outage(),
                    () -> KeyTypes.expect(
                            link,
                            keys.workers(),
                            "hash",
                            () -> link.hdel(keys.workers(), silent.toArray(String[]::new))));
        }
    }

    Optional<String> kvGet(String key) {
        return Optional.ofNullable(faults.ride(
                "read key",
                settings.outage(),
                () -> KeyTypes.expect(link, keys.kv(), "hash", () -> link.hget(keys.kv(), key))));
    }

    void kvPut(String key, String value) {
        faults.ride(
                "write key",
                settings.outage(),
                () -> KeyTypes.expect(link, keys.kv(), "hash", () -> link.sync().hset(keys.kv(), key, value)));
    }

    void kvDelete(String key) {
        faults.ride(
                "delete key",
                settings.outage(),
                () -> KeyTypes.expect(link, keys.kv(), "hash", () -> link.hdel(keys.kv(), key)));
    }

    /** One script on the kv hash (its slot on a Cluster), so the comparison and the write are one step. */
    boolean kvCompareAndSet(String key, String expected, String value) {
        List<String> args = List.of(
                key,
                expected == null ? "0" : "1",
                expected == null ? "" : expected,
                value == null ? "0" : "1",
                value == null ? "" : value);
        Long applied =
                faults.ride("compare-and-set key", settings.outage(), () -> scripts.run(Script.CAS, keys.kv(), args));
        return applied == 1;
    }

    /** One script on the kv hash for a batch of takes: one round trip however many keys they touch. */
    List<RateTake.Taken> kvTakeRates(List<RateTake> takes) {
        var args = new ArrayList<String>(takes.size() * 7);
        for (RateTake t : takes) {
            args.add(t.key());
            args.add(t.rule());
            args.add(Long.toString(t.now()));
            args.add(Long.toString(t.interval()));
            args.add(Long.toString(t.tolerance()));
            args.add(Integer.toString(t.count()));
            args.add(Long.toString(t.horizon()));
        }
        List<Object> r =
                faults.ride("take rate starts", settings.outage(), () -> scripts.run(Script.RATE, keys.kv(), args));
        var out = new ArrayList<RateTake.Taken>(takes.size());
        for (int i = 0; i < takes.size(); i++) {
            Object tat0 = r.get(2 * i);
            String text = tat0 instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : tat0.toString();
            out.add(new RateTake.Taken(Long.parseLong(text), ((Number) r.get(2 * i + 1)).intValue()));
        }
        return out;
    }

    Map<String, String> kvList(String prefix) {
        Map<String, String> all = faults.ride(
                "list keys",
                settings.outage(),
                () -> KeyTypes.expect(link, keys.kv(), "hash", () -> link.hgetall(keys.kv())));
        var out = new TreeMap<String, String>();
        all.forEach((k, v) -> {
            if (prefix == null || k.startsWith(prefix)) out.put(k, v);
        });
        return out;
    }

    boolean lockTry(String name, String owner, Duration ttl) {
        long ms = Math.max(1, ttl.toMillis());
        Long held = faults.ride(
                "take lock " + name,
                settings.outage(),
                () -> scripts.run(Script.LOCK, keys.lock(name), List.of(owner, Long.toString(ms))));
        return held == 1;
    }

    void lockRelease(String name, String owner) {
        faults.ride(
                "release lock " + name,
                settings.outage(),
                () -> scripts.run(Script.UNLOCK, keys.lock(name), List.of(owner)));
    }
}
