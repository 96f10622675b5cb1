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

    public Optional<Job> job(String id) { return broker.jobGet(id); }
    public List<Job> jobs(JobQuery query) { return broker.jobsList(query); }
    public List<QueueInfo> queues() { return broker.queuesList(); }
    public List<WorkerInfo> workers() { return broker.workersList(); }
    public List<StatsBucket> stats(Instant since, String queueOrNull) { return broker.statsHistory(since, queueOrNull); }
    public List<CancelResult> cancel(List<String> ids) { return broker.jobsCancel(ids); }
    public int retry(List<String> ids) { return broker.jobsRetry(RetryRequest.ids(ids)); }
    /** Retries every FAILED job, of one queue or (null) of all. */
    public int retryFailed(String queueOrNull) { return broker.jobsRetry(RetryRequest.allFailed(queueOrNull)); }
    public int delete(List<String> ids) { return broker.jobsDelete(ids); }
    public int purge(String queue) { return broker.queuePurge(queue); }
    public void pause(String queue) { broker.queuePause(queue, true); }
    public void resume(String queue) { broker.queuePause(queue, false); }
    public Instant now() { return broker.now(); }
    public String brokerDescription() { return broker.describe(); }
}
