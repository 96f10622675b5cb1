package dev.kyu.broker.redis;

import dev.kyu.broker.redis.Scripts.Script;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets aside jobs that cannot run: each goes to FAILED with a {@code kyu.CorruptJob} error naming why,
 * its stored fields kept, and releases its dependents as any ended job does, so the rest of its queue keeps
 * flowing. Every path ends in {@code bury()} of lib.lua: the fetch script buries what it can judge itself
 * (a foreign value at a job key, a field that is not a number); this class is the engine's way in for the
 * rest, a leased job the codec refused and the jobs no fetch could ever reach.
 */
final class RedisQuarantine {
    private static final Logger LOG = LoggerFactory.getLogger(RedisQuarantine.class);

    private final Keys keys;
    private final Scripts scripts;
    private final ScriptRunner runner;
    private final SkippedQueues skipped;
    private final Duration outage;

    RedisQuarantine(Keys keys, Scripts scripts, ScriptRunner runner, SkippedQueues skipped, Duration outage) {
        this.keys = keys;
        this.scripts = scripts;
        this.runner = runner;
        this.skipped = skipped;
        this.outage = outage;
    }

    /**
     * A job just leased whose values ({@link RedisJobCodec#LEASED_FIELDS}, as before the lease) the codec
     * could not read. Fenced by the lease, so a job another worker holds by now is left alone.
     */
    void leased(String q, String id, String workerId, List<?> values, String why) {
        // The values are as before the lease, so the lease's attempt is one more.
        String attempt = "";
        Object stored = values.get(RedisJobCodec.LEASED_FIELDS.indexOf("attempt"));
        try {
            attempt = Long.toString(Long.parseLong(String.valueOf(stored)) + 1);
        } catch (NumberFormatException e) {
            // the fence then fails, and the lease runs out into the rescue path
        }
        LOG.warn("job {} in queue {} cannot be decoded ({}); moved to FAILED", id, q, why);
        scripts.run(Script.BURY, keys.route(q), List.of(q, id, workerId, attempt, "cannot decode stored job: " + why));
    }

    /**
     * Jobs of these queues that would wait for ever: with a bound in epoch ms, those due past it; with
     * {@code "queue"}, the waiting jobs of queues whose names no worker can ask for. A queue with a key of
     * another type is skipped and reported.
     */
    void unreachable(String what, String bound, List<String> queues) {
        if (queues.isEmpty()) return;
        List<List<Object>> answers = runner.perQueue(
                what,
                outage,
                Script.UNREACHABLE,
                List.of(bound),
                queues,
                (List<Object> a) -> ((Number) a.get(0)).intValue(),
                -1);
        for (List<Object> a : answers) skipped.report(what, (List<?>) a.get(1));
    }
}
