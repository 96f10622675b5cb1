package dev.kyu.broker.redis;

import dev.kyu.job.JobIds;
import java.util.Map;

/** Writes an undecodable job straight into a queue's keys, the way a foreign or broken writer might. */
final class RedisCorruption {
    private RedisCorruption() {}

    static String insert(RedisBroker broker, String queue) {
        String id = JobIds.next();
        Keys k = broker.keys();
        var sync = broker.link().sync();
        sync.hset(k.job(queue, id), Map.of("state", "QUEUED", "attempt", "\u0000\u00ffgarbage", "junk", "{not json"));
        sync.zadd(k.ready(queue), 0, "000000000000000" + id);
        sync.zadd(k.stateIndex(queue, "QUEUED"), 0, id);
        sync.hset(k.jobQueue(), id, queue);
        sync.sadd(k.queues(), queue);
        return id;
    }
}
