package dev.kyu.client;

import dev.kyu.job.Job;
import dev.kyu.spi.Broker;
import dev.kyu.spi.Completion;
import dev.kyu.spi.FetchRequest;
import dev.kyu.spi.Outcome;
import dev.kyu.worker.JobExecutor;
import java.time.Duration;
import java.util.List;

/**
 * The test mode's engine room (like Celery's eager mode): right after enqueue, the job is fetched and run
 * on the caller's thread through the real executor, with its JSON round trip, and its outcome recorded in
 * the broker. Retries run at once instead of after their back-off, until the job succeeds or is dead.
 */
final class InlineRunner {
    private static final int MAX_STEPS = 1000;
    /** Every step of the largest workflow, each retried a few times, and its compensations. */
    private static final int MAX_WORKFLOW_JOBS = 200_000;

    private final Broker broker;
    private final JobExecutor executor;

    InlineRunner(Broker broker, JobExecutor executor) {
        this.broker = broker;
        // Linked to the broker so that workflow steps read their parents, as they do in a worker.
        this.executor = executor.linkedTo(broker);
    }

    /**
     * Runs every job that is or becomes due, on every queue, until none is left: a workflow's steps as their
     * parents release them, its end job, then its compensations. Bounded, like {@link #runToEnd}.
     */
    void runUntilIdle() {
        List<String> queues = queueNames();
        for (int step = 0; step < MAX_WORKFLOW_JOBS; step++) {
            Job job = fetch(queues);
            if (job == null) {
                // New queues may have appeared (a compensation's); look once more before stopping.
                List<String> now = queueNames();
                if (now.equals(queues) || (job = fetch(queues = now)) == null) return;
            }
            run(job);
        }
    }

    private List<String> queueNames() {
        return broker.queuesList().stream().map(dev.kyu.spi.QueueInfo::queue).toList();
    }

    private Job fetch(List<String> queues) {
        if (queues.isEmpty()) return null;
        broker.jobsPromoteDue(1000);
        try {
            List<Job> fetched =
                    broker.jobsFetch(new FetchRequest("inline", queues, 1, Duration.ofHours(1), Duration.ZERO));
            return fetched.isEmpty() ? null : fetched.get(0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    void runToEnd(String jobId, String queue) {
        for (int step = 0; step < MAX_STEPS; step++) {
            Job current = broker.jobGet(jobId).orElse(null);
            if (current == null || current.state().isTerminal()) return;
            broker.jobsPromoteDue(1000);
            List<Job> fetched;
            try {
                fetched = broker.jobsFetch(
                        new FetchRequest("inline", List.of(queue), 1, Duration.ofHours(1), Duration.ZERO));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (fetched.isEmpty()) return; // paused queue, or someone else holds it
            run(fetched.get(0));
        }
    }

    private void run(Job job) {
        var progress = new java.util.concurrent.atomic.AtomicReference<dev.kyu.job.Progress>();
        Outcome outcome = executor.execute(
                job,
                () -> dev.kyu.worker.StopReason.NONE,
                broker::now,
                Duration.ZERO,
                Duration.ofMillis(1),
                progress::set);
        if (outcome instanceof Outcome.Retry r) outcome = new Outcome.Retry(r.error(), Duration.ZERO);
        if (progress.get() != null) {
            // as a worker does: the last progress is stored before the outcome
            broker.leasesExtend(new dev.kyu.spi.LeaseExtension(
                    "inline", List.of(job.lease()), Duration.ofHours(1), java.util.Map.of(job.id(), progress.get())));
        }
        broker.jobsComplete(List.of(new Completion(job.lease(), outcome)));
    }
}
