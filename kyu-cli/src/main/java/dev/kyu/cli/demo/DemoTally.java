package dev.kyu.cli.demo;

import dev.kyu.job.Job;
import dev.kyu.spi.Outcome;
import dev.kyu.worker.JobListener;
import java.time.Duration;

/**
 * Counts what happened to one demo run's jobs as the worker records their outcomes: orders done (their
 * confirmation was sent), orders failed (a step died or was cancelled), retries and jobs run. Jobs of
 * other runs sharing the broker are ignored.
 */
public final class DemoTally implements JobListener {
    private final String runId;
    private int done;
    private int failed;
    private int retries;
    private int jobsRun;
    private String retriedJobId;

    public DemoTally(String runId) {
        this.runId = runId;
    }

    @Override
    public synchronized void onRecorded(Job job, Outcome outcome, Duration runTime) {
        if (!runId.equals(job.meta().get(ShopTasks.RUN)) || outcome instanceof Outcome.Released) return;
        jobsRun++;
        switch (outcome) {
            case Outcome.Retry r -> {
                retries++;
                if (retriedJobId == null) retriedJobId = job.id();
            }
            case Outcome.Dead d -> failed++;
            case Outcome.Cancelled c -> failed++;
            case Outcome.Succeeded s -> {
                if (job.task().equals(ShopTasks.CONFIRM)) done++;
            }
            case Outcome.Released r -> { }
        }
        notifyAll();
    }

    /** Waits until {@code orders} orders ended (done or failed) or the deadline passed; returns how many ended. */
    public synchronized int awaitFinished(int orders, long deadlineNanos, java.util.function.IntConsumer progress) throws InterruptedException {
        while (done + failed < orders) {
            progress.accept(done + failed);
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) break;
            wait(Math.max(1, Math.min(200, left / 1_000_000)));
        }
        progress.accept(done + failed);
        return done + failed;
    }

    public synchronized int done() { return done; }
    public synchronized int failed() { return failed; }
    public synchronized int retries() { return retries; }
    public synchronized int jobsRun() { return jobsRun; }
    /** A job of this run that was retried, to point the user at; null when none was. */
    public synchronized String retriedJobId() { return retriedJobId; }
}
