package dev.kyu.client;

import dev.kyu.job.Job;
import dev.kyu.spi.Broker;
import dev.kyu.spi.CancelResult;
import dev.kyu.spi.JobQuery;
import dev.kyu.spi.QueueInfo;
import dev.kyu.spi.RetryRequest;
import dev.kyu.spi.StatsBucket;
import dev.kyu.spi.WorkerInfo;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The operator's read and control side: what the CLI, the dashboard and an application's own admin pages
 * use. It goes through the broker's query and control verbs only, so it works the same on every engine.
 */
public final class Admin {
    private final Broker broker;

    public Admin(Broker broker) {
        this.broker = broker;
    }

    public Optional<Job> job(String id) {
        return broker.jobGet(id);
    }

    public List<Job> jobs(JobQuery query) {
        return broker.jobsList(query);
    }

    public List<QueueInfo> queues() {
        return broker.queuesList();
    }

    public List<WorkerInfo> workers() {
        return broker.workersList();
    }

    public List<StatsBucket> stats(Instant since, String queueOrNull) {
        return broker.statsHistory(since, queueOrNull);
    }
    /**
     * Cancels jobs by id. A workflow's id is its end job's: cancelling it cancels the workflow's unfinished
     * steps (as {@link dev.kyu.workflow.WorkflowHandle#cancel()}), so it ends CANCELLED and compensates, instead
     * of cancelling the end job alone and leaving the steps to run.
     */
    public List<CancelResult> cancel(List<String> ids) {
        var workflows = new java.util.HashSet<String>();
        for (Job j : broker.jobsGet(ids)) {
            if (dev.kyu.workflow.WorkflowMeta.END_TASK.equals(j.task())
                    && !j.state().isTerminal()) workflows.add(j.id());
        }
        if (workflows.isEmpty()) return broker.jobsCancel(ids);
        var plain = ids.stream().filter(id -> !workflows.contains(id)).toList();
        var plainResults = plain.isEmpty() ? List.<CancelResult>of() : broker.jobsCancel(plain);
        var out = new java.util.ArrayList<CancelResult>(ids.size());
        int next = 0;
        for (String id : ids) {
            if (!workflows.contains(id)) {
                out.add(plainResults.get(next++));
                continue;
            }
            int stopped = new dev.kyu.workflow.WorkflowHandle(id, broker, dev.kyu.codec.JsonCodec.shared()).cancel();
            out.add(stopped > 0 ? CancelResult.CANCEL_REQUESTED : CancelResult.ALREADY_FINISHED);
        }
        return out;
    }

    public int retry(List<String> ids) {
        return broker.jobsRetry(RetryRequest.ids(ids));
    }
    /** Retries every FAILED job, of one queue or (null) of all. */
    public int retryFailed(String queueOrNull) {
        return broker.jobsRetry(RetryRequest.allFailed(queueOrNull));
    }

    public int delete(List<String> ids) {
        return broker.jobsDelete(ids);
    }

    public int purge(String queue) {
        return broker.queuePurge(queue);
    }

    public void pause(String queue) {
        broker.queuePause(queue, true);
    }

    public void resume(String queue) {
        broker.queuePause(queue, false);
    }

    public Instant now() {
        return broker.now();
    }

    public String brokerDescription() {
        return broker.describe();
    }
}
