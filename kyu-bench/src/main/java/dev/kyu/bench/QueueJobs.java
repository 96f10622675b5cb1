package dev.kyu.bench;

import dev.kyu.Kyu;
import dev.kyu.job.JobState;
import java.util.List;
import java.util.Map;

/** What the harness reads and removes of one queue's jobs, outside any timing. */
public final class QueueJobs {
    private static final int DELETE_BATCH = 1000;

    private QueueJobs() {}

    /** SUCCEEDED plus FAILED jobs of the queue, from the broker's counts. */
    public static long finished(Kyu kyu, String queue) {
        Map<JobState, Long> c = kyu.broker().queueCounts(queue);
        return c.getOrDefault(JobState.SUCCEEDED, 0L) + c.getOrDefault(JobState.FAILED, 0L);
    }

    /** Deletes the jobs, a thousand ids per call. */
    public static void delete(Kyu kyu, List<String> ids) {
        for (int i = 0; i < ids.size(); i += DELETE_BATCH)
            kyu.broker().jobsDelete(ids.subList(i, Math.min(ids.size(), i + DELETE_BATCH)));
    }
}
