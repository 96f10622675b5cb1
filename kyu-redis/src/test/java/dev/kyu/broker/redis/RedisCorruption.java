package dev.kyu.broker.redis;

import dev.kyu.job.JobIds;
import java.util.Map;
import java.util.function.Function;

/** Writes jobs straight into a queue's keys, the way a foreign or broken writer might. */
final class RedisCorruption {
    private RedisCorruption() {}

    /** An undecodable job waiting in {@code queue}; returns its id. */
    static String insert(RedisBroker broker, String queue) {
        return insertQueued(broker, queue, id -> Map.of("state", "QUEUED", "attempt", "\u0000\u00ffgarbage", "junk", "{not json"));
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
