package dev.kyu.alert;

import dev.kyu.job.Job;
import dev.kyu.job.JobError;
import dev.kyu.job.JobState;
import dev.kyu.spi.Broker;
import dev.kyu.spi.JobQuery;
import java.time.Instant;
import java.util.List;

/**
 * Counts one task's attempts that ended inside a window, from the broker's query API alone (so it holds on
 * every engine): the broker keeps per-minute counts per queue, not per task. A failed attempt is an entry of
 * a job's {@code errors} timed inside the window (a retried attempt as much as a final one); a succeeded
 * attempt is a SUCCEEDED job finished inside it. Read are the task's SUCCEEDED and FAILED jobs and those
 * SCHEDULED for a retry, each state newest first, until a job enqueued before the window shows nothing
 * inside it, or until {@link #MAX_JOBS} jobs in all were read in one pass.
 */
final class TaskAttempts {
    /** The bound on jobs read per pass and rule; past it the rate is over the jobs read and says so. */
    static final int MAX_JOBS = 10_000;

    private static final int PAGE = 1000;
    private static final List<JobState> STATES = List.of(JobState.FAILED, JobState.SUCCEEDED, JobState.SCHEDULED);

    /** Failed and all attempts counted, jobs read, and whether the bound cut the reading short. */
    record Count(long failed, long attempts, int jobsRead, boolean truncated) {}

    private TaskAttempts() {}

    static Count since(Broker broker, String task, String queue, Instant start) {
        long failed = 0;
        long attempts = 0;
        int read = 0;
        boolean truncated = false;
        states:
        for (JobState state : STATES) {
            JobQuery q = new JobQuery(state, queue, task, null, PAGE, 0);
            while (true) {
                if (read >= MAX_JOBS) {
                    truncated = true;
                    break states;
                }
                q = q.withLimit(Math.min(PAGE, MAX_JOBS - read));
                List<Job> page = broker.jobsList(q);
                for (Job j : page) {
                    read++;
                    if (!task.equals(j.task()) || (queue != null && !queue.equals(j.queue()))) continue;
                    long f = failedSince(j, start);
                    boolean succeeded = j.state() == JobState.SUCCEEDED
                            && j.finishedAt() != null
                            && !j.finishedAt().isBefore(start);
                    failed += f;
                    attempts += f + (succeeded ? 1 : 0);
                    // Ids, and so the listing, follow enqueue order: an older job can still end inside the window
                    // (a long delay, a retry back-off), but once one enqueued before it shows nothing in it, older
                    // ones are taken to be done too.
                    if (f == 0
                            && !succeeded
                            && j.enqueuedAt() != null
                            && j.enqueuedAt().isBefore(start)) continue states;
                }
                q = q.next(page); // by cursor: a deep page costs what the first does
                if (q == null) continue states;
            }
        }
        return new Count(failed, attempts, read, truncated);
    }

    private static long failedSince(Job j, Instant start) {
        long n = 0;
        for (JobError e : j.errors()) {
            Instant at = e.at() != null ? e.at() : j.finishedAt();
            if (at != null && !at.isBefore(start)) n++;
        }
        // a dead letter without a recorded error still ended in a failed attempt
        if (n == 0
                && j.state() == JobState.FAILED
                && j.errors().isEmpty()
                && j.finishedAt() != null
                && !j.finishedAt().isBefore(start)) n = 1;
        return n;
    }
}
