package dev.kyu.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kyu.Kyu;
import dev.kyu.job.Job;
import dev.kyu.job.JobState;
import dev.kyu.spi.Completion;
import dev.kyu.spi.FetchRequest;
import dev.kyu.spi.JobQuery;
import dev.kyu.spi.Outcome;
import dev.kyu.spi.QueueInfo;
import dev.kyu.worker.JobExecutor;
import dev.kyu.worker.StopReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Helpers for an application's own tests, in the spirit of Oban.Testing and Sidekiq's testing API:
 * assert what code enqueued, and run enqueued jobs through the real executor and JSON codec on demand.
 *
 * <pre>{@code
 * Kyu kyu = KyuTesting.memoryKyu().register(sendEmail);
 * signupService(kyu).signUp("ada@example.com");
 * KyuTesting.assertEnqueued(kyu, "email.send", Map.of("to", "ada@example.com"));
 * assertThat(KyuTesting.drain(kyu)).isEqualTo(1);
 * }</pre>
 */
public final class KyuTesting {
    private KyuTesting() {}

    /** A Kyu on a fresh in-memory broker, with the built-in tasks. Jobs wait until {@link #drain} or a worker runs them. */
    public static Kyu memoryKyu() {
        return Kyu.builder().broker("memory:").build();
    }

    /** Waiting jobs (SCHEDULED or QUEUED) of a task, oldest first. */
    public static List<Job> enqueued(Kyu kyu, String task) {
        var out = new ArrayList<Job>();
        for (JobState s : JobState.WAITING) {
            for (JobQuery q = new JobQuery(s, null, task, null, 1000, 0); q != null; ) {
                List<Job> page = kyu.admin().jobs(q);
                out.addAll(page);
                q = q.next(page);
            }
        }
        out.sort((a, b) -> a.id().compareTo(b.id()));
        return out;
    }

    /**
     * Asserts that a waiting job of {@code task} has args equal, as JSON, to {@code args} (an object that is
     * encoded with Kyu's codec, or JSON text). The failure message lists what was enqueued instead.
     */
    public static Job assertEnqueued(Kyu kyu, String task, Object args) {
        JsonNode expected = toJson(kyu, args);
        List<Job> jobs = enqueued(kyu, task);
        for (Job j : jobs) {
            if (Objects.equals(parseOrNull(kyu, j.args()), expected)) return j;
        }
        throw new AssertionError(
                "expected a job of task '" + task + "' with args " + expected + " to be enqueued, but found "
                        + (jobs.isEmpty()
                                ? "none of that task"
                                : jobs.stream().map(Job::args).toList()));
    }

    /** Asserts that no waiting job of {@code task} exists. */
    public static void assertNotEnqueued(Kyu kyu, String task) {
        List<Job> jobs = enqueued(kyu, task);
        if (!jobs.isEmpty()) {
            throw new AssertionError("expected no job of task '" + task + "' to be enqueued, but found "
                    + jobs.stream().map(Job::args).toList());
        }
    }

    /**
     * Runs every waiting job of the given queues (all queues when none are given) on the calling thread,
     * through the real executor, including jobs that those jobs enqueue and retries (without their
     * back-off). Delayed jobs run once due: give the broker a {@code ManualClock} and move it forward to
     * make them due. Returns how many attempts ran.
     */
    public static int drain(Kyu kyu, String... queues) {
        JobExecutor executor = kyu.executor();
        var broker = kyu.broker();
        int ran = 0;
        for (int round = 0; round < 100_000; round++) {
            broker.jobsPromoteDue(10_000);
            List<String> names = queues.length > 0
                    ? List.of(queues)
                    : broker.queuesList().stream()
                            .filter(q -> !q.paused())
                            .map(QueueInfo::queue)
                            .toList();
            if (names.isEmpty()) return ran;
            List<Job> fetched;
            try {
                fetched = broker.jobsFetch(
                        new FetchRequest("kyu-testing", names, 100, Duration.ofHours(1), Duration.ZERO));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return ran;
            }
            if (fetched.isEmpty()) return ran;
            var completions = new ArrayList<Completion>();
            for (Job job : fetched) {
                Outcome o =
                        executor.execute(job, () -> StopReason.NONE, broker::now, Duration.ZERO, Duration.ofMillis(1));
                if (o instanceof Outcome.Retry r) o = new Outcome.Retry(r.error(), Duration.ZERO);
                completions.add(new Completion(job.lease(), o));
                ran++;
            }
            broker.jobsComplete(completions);
        }
        return ran;
    }

    private static JsonNode toJson(Kyu kyu, Object args) {
        if (args instanceof String s) {
            JsonNode n = parseOrNull(kyu, s);
            if (n != null) return n;
        }
        return kyu.codec().mapper().valueToTree(args);
    }

    private static JsonNode parseOrNull(Kyu kyu, String json) {
        try {
            return kyu.codec().mapper().readTree(json);
        } catch (java.io.IOException e) {
            return null;
        }
    }
}
