package dev.kyu.broker.redis;

import dev.kyu.broker.redis.Scripts.Script;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Priority aging ({@link dev.kyu.spi.Broker#jobsAge}): one script per call over one queue's keys
 * ({@code age.lua}), so raising a job's priority and re-filing it in {@code ready} under its new score are one
 * atomic step, routed to the queue's slot on a Cluster. The script keeps each raised job's member (due time and
 * id), so in its new priority it comes before the jobs that became due after it.
 */
final class RedisAging {
    /** The largest due time a {@code ready} member can carry: its due time is written as 15 digits of epoch ms. */
    private static final long LAST_MEMBER_MS = 999_999_999_999_999L;

    private final Scripts scripts;
    private final Keys keys;
    private final Faults faults;
    private final Duration outage;

    RedisAging(Scripts scripts, Keys keys, Faults faults, Duration outage) {
        this.scripts = scripts;
        this.keys = keys;
        this.faults = faults;
        this.outage = outage;
    }

    int age(String queue, Instant dueBefore, int ceiling, int limit) {
        Names.checkQueue(queue);
        if (dueBefore == null) throw new IllegalArgumentException("dueBefore must be given");
        if (limit < 1) return 0;
        String cut = Long.toString(cutMillis(dueBefore));
        List<String> args = List.of(queue, cut, Integer.toString(ceiling), Integer.toString(limit));
        Long raised = faults.ride(
                "age priorities of " + queue, outage, () -> scripts.run(Script.AGE, keys.route(queue), args));
        return raised.intValue();
    }

    /**
     * The cut in epoch milliseconds, exclusive: a job ages when its due time (stored to the millisecond) is below
     * it. Rounded down: a job due within the cut's own millisecond may have become due after the cut, and waits for
     * the next aging step rather than being raised before its time.
     */
    static long cutMillis(Instant dueBefore) {
        if (dueBefore.isBefore(Instant.EPOCH)) return 0;
        if (dueBefore.isAfter(Instant.ofEpochMilli(LAST_MEMBER_MS))) return LAST_MEMBER_MS + 1;
        return dueBefore.toEpochMilli();
    }
}
