package dev.kyu.broker.redis;

import dev.kyu.job.JobIds;
import dev.kyu.testkit.RawJob;
import java.util.Map;
import java.util.function.Function;

/** Writes jobs straight into a queue's keys, the way a foreign or broken writer might. */
final class RedisCorruption {
    private RedisCorruption() {}

    /** An undecodable job waiting in {@code queue}; returns its id. */
    static String insert(RedisBroker broker, String queue) {
        return insertQueued(
                broker, queue, id -> Map.of("state", "QUEUED", "attempt", "\u0000\u00ffgarbage", "junk", "{not json"));
    }

    /**
     * Writes {@code raw} as a job hash indexed as its state says (ready set or schedule), past every check
     * of enqueue; a missing value is a missing field, {@link java.time.Instant#MAX} the largest number
     * (+inf as a schedule score).
     */
    static String plant(RedisBroker broker, RawJob raw) {
        Keys k = broker.keys();
        var sync = broker.link().sync();
        String q = raw.queue(), id = raw.id();
        var f = new java.util.LinkedHashMap<String, String>();
        f.put("id", id);
        f.put("queue", q);
        f.put("task", raw.task());
        if (raw.args() != null) f.put("args", raw.args());
        f.put("priority", "0");
        f.put("attempt", Long.toString(raw.attempt()));
        f.put("maxAttempts", Long.toString(raw.maxAttempts()));
        if (raw.enqueuedAt() != null) f.put("enqueuedAt", millis(raw.enqueuedAt()));
        if (raw.scheduledAt() != null) f.put("scheduledAt", millis(raw.scheduledAt()));
        f.put("state", raw.state());
        String rk = "000000000000000" + id;
        if (raw.state().equals("QUEUED")) f.put("rk", rk);
        sync.hset(k.job(q, id), f);
        if (raw.state().equals("QUEUED")) {
            sync.zadd(k.ready(q), 0, rk);
        } else {
            double score = raw.scheduledAt() == null
                    ? 0
                    : raw.scheduledAt().equals(java.time.Instant.MAX)
                            ? Double.POSITIVE_INFINITY
                            : raw.scheduledAt().toEpochMilli();
            sync.zadd(k.queue(q, "sched"), score, id);
        }
        sync.zadd(k.stateIndex(q, raw.state()), 0, id);
        sync.hset(k.jobQueue(), id, q);
        sync.sadd(k.queues(), q);
        return id;
    }

    private static String millis(java.time.Instant t) {
        return t.equals(java.time.Instant.MAX) ? Long.toString(Long.MAX_VALUE) : Long.toString(t.toEpochMilli());
    }

    /**
     * A job stored with exactly the fields {@code fields} gives for its id, indexed as a QUEUED job of
     * {@code queue} (ready set, state index, id index, queue set); returns its id.
     */
    static String insertQueued(RedisBroker broker, String queue, Function<String, Map<String, String>> fields) {
        String id = JobIds.next();
        Keys k = broker.keys();
        var sync = broker.link().sync();
        sync.hset(k.job(queue, id), fields.apply(id));
        sync.zadd(k.ready(queue), 0, "000000000000000" + id);
        sync.zadd(k.stateIndex(queue, "QUEUED"), 0, id);
        sync.hset(k.jobQueue(), id, queue);
        sync.sadd(k.queues(), queue);
        return id;
    }
}
