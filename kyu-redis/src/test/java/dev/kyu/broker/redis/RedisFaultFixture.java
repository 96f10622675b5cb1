package dev.kyu.broker.redis;

import dev.kyu.job.JobIds;
import dev.kyu.testkit.faults.FaultFixture;
import dev.kyu.testkit.faults.Garbage;
import dev.kyu.testkit.faults.GarbageCase;
import dev.kyu.testkit.faults.RunHistory;
import dev.kyu.testkit.faults.TcpProxy;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The Redis side of the fault suite: a server of its own (fsync on every write, since it is killed and
 * restarted with its data), a {@link TcpProxy} in front of it for the workers, and garbage written with
 * plain commands. Job cases are due jobs as the engine stores them (hash and indexes) with one field
 * replaced or removed; key cases give Kyu's keys the wrong type or foreign members: the keys of a second
 * queue that no worker reads but every maintenance sweep visits, and the global keys.
 */
final class RedisFaultFixture implements FaultFixture {
    private static final String PREFIX = "kyu";
    private static final List<String> FIELDS = List.of(
            "id",
            "task",
            "queue",
            "args",
            "priority",
            "state",
            "attempt",
            "maxAttempts",
            "enqueuedAt",
            "scheduledAt",
            "rk",
            "startedAt",
            "finishedAt",
            "leaseExpiresAt",
            "workerId",
            "result",
            "timeout",
            "backoff",
            "meta",
            "uniqueKey",
            "uniqueScope",
            "cancelRequested",
            "errs",
            "waitsFor",
            "dependents",
            "retainWith");
    private static final Set<String> NUMBERS = Set.of(
            "priority",
            "attempt",
            "maxAttempts",
            "enqueuedAt",
            "scheduledAt",
            "startedAt",
            "finishedAt",
            "leaseExpiresAt",
            "timeout",
            "cancelRequested",
            "errs",
            "waitsFor");
    private static final Map<String, String> OUT_OF_RANGE = Map.ofEntries(
            Map.entry("id", "not-a-uuid"),
            Map.entry("task", "no.such.task\u0000\n\u001b[31m"),
            Map.entry("queue", "another-queue"),
            Map.entry("args", "{\"n\":\"not a number\",\"ms\":[]}"),
            Map.entry("priority", "99999999999999999999"),
            Map.entry("state", "WEIRD"),
            Map.entry("attempt", "-5"),
            Map.entry("maxAttempts", "-1"),
            Map.entry("enqueuedAt", "-9223372036854775808"),
            Map.entry("scheduledAt", "inf"),
            Map.entry("rk", "999999999999999zzz"),
            Map.entry("startedAt", "9223372036854775807"),
            Map.entry("finishedAt", "9223372036854775807"),
            Map.entry("leaseExpiresAt", "-1"),
            Map.entry("workerId", "\u001b]0;owned\u0007"),
            Map.entry("result", "{\"half\":"),
            Map.entry("timeout", "-1"),
            Map.entry("backoff", "sideways"),
            Map.entry("meta", "[1,2,3]"),
            Map.entry("uniqueKey", "\ud800"),
            Map.entry("uniqueScope", "SIDEWAYS"),
            Map.entry("cancelRequested", "7"),
            Map.entry("errs", "-3"),
            Map.entry("waitsFor", "-2"),
            Map.entry("dependents", "[\"no-such-job\",7,null,{\"id\":\"x\"},\"\"]"),
            Map.entry("retainWith", "no-such-job"));

    private final RedisProcess server;
    private final TcpProxy proxy;
    private final RedisClient client;
    private final StatefulRedisConnection<byte[], byte[]> connection;

    private RedisFaultFixture(RedisProcess server, TcpProxy proxy, RedisClient client) {
        this.server = server;
        this.proxy = proxy;
        this.client = client;
        this.connection = client.connect(ByteArrayCodec.INSTANCE);
    }

    static RedisFaultFixture start() throws Exception {
        var server = new RedisProcess(List.of("--appendonly", "yes", "--appendfsync", "always")).start();
        var proxy = new TcpProxy("127.0.0.1", server.port());
        return new RedisFaultFixture(server, proxy, RedisClient.create(RedisURI.create(server.url())));
    }

    @Override
    public String engine() {
        return "redis";
    }

    @Override
    public String brokerUrl() {
        return server.url();
    }

    @Override
    public String workerUrl() {
        return "redis://127.0.0.1:" + proxy.port();
    }

    @Override
    public Restart restart() {
        return Restart.SERVER;
    }

    @Override
    public void restartServer() throws Exception {
        server.restart();
    }

    @Override
    public boolean blackholes() {
        return true;
    }

    @Override
    public void dark() {
        proxy.dark();
    }

    @Override
    public void light() {
        proxy.light();
    }

    @Override
    public List<GarbageCase> garbage(String queue) {
        var cases = new ArrayList<GarbageCase>();
        for (String field : FIELDS) {
            for (Garbage.Kind kind : Garbage.Kind.values()) {
                byte[] value = value(field, kind);
                cases.add(GarbageCase.of(
                        "job." + field + "=" + kind.name().toLowerCase(), () -> insertJob(queue, field, value)));
            }
        }
        // A job key of the wrong type, and a job whose error list is not a list.
        cases.add(GarbageCase.of("job key=string", () -> {
            String id = JobIds.next();
            // The value first, as a job is written before it is indexed: indexed first, a worker woken at
            // once would drop the member of a job key that does not exist yet (a dangling member).
            redis().set(b(job(queue, id)), Garbage.invalidUtf8());
            index(queue, id, 0);
            return id;
        }));
        cases.add(GarbageCase.of("err key=string", () -> {
            String id = insertJob(queue, "errs", b("1"));
            redis().set(b(key(queue, "err:" + id)), b("not a list"));
            return id;
        }));
        // Index entries that point nowhere or are not Kyu's.
        cases.add(GarbageCase.of(
                "ready=dangling member", () -> add(c -> c.zadd(b(key(queue, "ready")), 0, b(rk(0, JobIds.next()))))));
        cases.add(GarbageCase.of(
                "ready=invalid utf8 member", () -> add(c -> c.zadd(b(key(queue, "ready")), 0, Garbage.invalidUtf8()))));
        cases.add(GarbageCase.of(
                "ready=huge member", () -> add(c -> c.zadd(b(key(queue, "ready")), 0, b(Garbage.huge())))));
        cases.add(GarbageCase.of(
                "st:QUEUED=dangling member", () -> add(c -> c.zadd(b(key(queue, "st:QUEUED")), 0, b(JobIds.next())))));
        cases.add(GarbageCase.of(
                "sched=dangling member", () -> add(c -> c.zadd(b(key(queue, "sched")), 0, b(JobIds.next())))));
        cases.add(GarbageCase.of(
                "run=dangling member", () -> add(c -> c.zadd(b(key(queue, "run")), 0, b(JobIds.next())))));
        cases.add(GarbageCase.of(
                "run=invalid utf8 member", () -> add(c -> c.zadd(b(key(queue, "run")), 0, Garbage.invalidUtf8()))));
        cases.add(GarbageCase.of(
                "fin:SUCCEEDED=dangling member",
                () -> add(c -> c.zadd(b(key(queue, "fin:SUCCEEDED")), 0, b(JobIds.next())))));
        cases.add(GarbageCase.of(
                "wake=foreign members",
                () -> add(c -> c.lpush(b(key(queue, "wake")), Garbage.invalidUtf8(), b(Garbage.huge())))));
        cases.add(GarbageCase.of(
                "stats=foreign fields",
                () -> add(c ->
                        c.hset(b(key(queue, "stats")), Map.of(b("soon"), b("many"), Garbage.invalidUtf8(), b("-1"))))));
        // Every key of a queue nobody reads holding the wrong type: each sweep over all queues meets them.
        String side = queue + "-wrong-types";
        for (String suffix : List.of(
                "ready",
                "sched",
                "run",
                "st:QUEUED",
                "st:SCHEDULED",
                "fin:SUCCEEDED",
                "fin:FAILED",
                "wake",
                "paused",
                "stats")) {
            cases.add(GarbageCase.of(
                    "queue key " + suffix + "=wrong type",
                    () -> add(c -> {
                        c.sadd(b(PREFIX + ":queues"), b(side));
                        c.del(b(key(side, suffix)));
                        if (suffix.equals("run") || suffix.equals("ready"))
                            c.hset(b(key(side, suffix)), b("f"), Garbage.invalidUtf8());
                        else if (suffix.equals("wake") || suffix.equals("paused"))
                            c.zadd(b(key(side, suffix)), 1, b("x"));
                        else c.set(b(key(side, suffix)), b("not a " + suffix));
                    })));
        }
        // The global keys.
        cases.add(GarbageCase.of(
                "queues=invalid utf8 member", () -> add(c -> c.sadd(b(PREFIX + ":queues"), Garbage.invalidUtf8()))));
        cases.add(GarbageCase.of(
                "queues=huge member", () -> add(c -> c.sadd(b(PREFIX + ":queues"), b(Garbage.huge())))));
        cases.add(GarbageCase.of(
                "jobq=dangling entries",
                () -> add(c -> c.hset(
                        b(PREFIX + ":jobq"),
                        Map.of(
                                b(JobIds.next()),
                                b("no-such-queue"),
                                b("not-an-id"),
                                Garbage.invalidUtf8(),
                                Garbage.invalidUtf8(),
                                b(queue))))));
        cases.add(GarbageCase.of(
                "workers=foreign entries",
                () -> add(c -> c.hset(
                        b(PREFIX + ":workers"),
                        Map.of(b("garbage-worker"), b("{not json"), Garbage.invalidUtf8(), b(Garbage.huge()))))));
        cases.add(GarbageCase.of(
                "kv=foreign entries",
                () -> add(c -> c.hset(b(PREFIX + ":kv"), Map.of(Garbage.invalidUtf8(), Garbage.invalidUtf8())))));
        cases.add(GarbageCase.of(
                "lock=foreign holder", () -> add(c -> c.set(b(PREFIX + ":lock:garbage"), Garbage.invalidUtf8()))));
        cases.add(GarbageCase.of(
                "uniq=dangling holder", () -> add(c -> c.set(b(PREFIX + ":uniq:garbage"), b(JobIds.next())))));
        return cases;
    }

    private static byte[] value(String field, Garbage.Kind kind) {
        return switch (kind) {
            case MISSING -> null;
            case EMPTY -> new byte[0];
            case WRONG_TYPE -> b(NUMBERS.contains(field) ? "not a number" : "1.5e300");
            case HUGE -> b(NUMBERS.contains(field) ? "9".repeat(Garbage.HUGE_LENGTH) : Garbage.huge());
            case INVALID_UTF8 -> Garbage.invalidUtf8();
            case OUT_OF_RANGE -> b(OUT_OF_RANGE.get(field));
        };
    }

    /** A due job stored as enqueue does (hash, ready set, state index, id index), with {@code field} set to {@code value} (null: absent). */
    private String insertJob(String queue, String field, byte[] value) {
        String id = JobIds.next();
        long now = System.currentTimeMillis();
        String rk = rk(now, id);
        var f = new LinkedHashMap<String, byte[]>();
        f.put("id", b(id));
        f.put("task", b(RunHistory.TASK));
        f.put("queue", b(queue));
        f.put("args", b("{\"n\":-1,\"ms\":0}"));
        f.put("priority", b("0"));
        f.put("attempt", b("0"));
        f.put("maxAttempts", b("3"));
        f.put("enqueuedAt", b(Long.toString(now * 1000)));
        f.put("scheduledAt", b(Long.toString(now)));
        f.put("state", b("QUEUED"));
        f.put("rk", b(rk));
        if (value == null) f.remove(field);
        else f.put(field, value);
        var hash = new LinkedHashMap<byte[], byte[]>();
        f.forEach((k, v) -> hash.put(b(k), v));
        redis().hset(b(job(queue, id)), hash);
        index(queue, id, now);
        return id;
    }

    private void index(String queue, String id, long due) {
        var c = redis();
        c.zadd(b(key(queue, "ready")), 0, b(rk(due, id)));
        c.zadd(b(key(queue, "st:QUEUED")), 0, b(id));
        c.hset(b(PREFIX + ":jobq"), b(id), b(queue));
        c.sadd(b(PREFIX + ":queues"), b(queue));
        c.lpush(b(key(queue, "wake")), b("1"));
    }

    private String add(Consumer<RedisCommands<byte[], byte[]>> write) {
        write.accept(redis());
        return null;
    }

    private RedisCommands<byte[], byte[]> redis() {
        return connection.sync();
    }

    private static String key(String queue, String suffix) {
        return PREFIX + ":{" + queue + "}:" + suffix;
    }

    private static String job(String queue, String id) {
        return key(queue, "job:" + id);
    }

    private static String rk(long due, String id) {
        return String.format("%015d", due) + id;
    }

    private static byte[] b(String s) {
        return Garbage.utf8(s);
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
        proxy.close();
        server.close();
    }
}
