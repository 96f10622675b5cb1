package dev.kyu.spi;

import dev.kyu.job.JobState;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;

/**
 * One queue's counts. {@code counts} holds every state, zero included. {@code oldestQueuedAt} is the
 * {@code scheduledAt} of the oldest QUEUED job (how long work has been waiting), or null.
 */
public record QueueInfo(String queue, boolean paused, Map<JobState, Long> counts, Instant oldestQueuedAt) {
    public QueueInfo {
        var all = new EnumMap<JobState, Long>(JobState.class);
        for (JobState s : JobState.values()) all.put(s, 0L);
        if (counts != null) all.putAll(counts);
        counts = java.util.Collections.unmodifiableMap(all);
    }

    public long count(JobState s) {
        return counts.get(s);
    }
}
