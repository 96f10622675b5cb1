package dev.kyu.spi;

import dev.kyu.job.Job;
import dev.kyu.job.JobState;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A broker that passes every verb to another, for wrappers that change one or two of them (a gate in front of
 * enqueue, a different clock, a fault). Every verb is forwarded, the SPI's default ones included, so a wrapper
 * never answers with the SPI's fallback where the engine behind it has its own: a verb added to {@link Broker}
 * is added here once.
 */
public abstract class ForwardingBroker implements Broker {
    private final Broker delegate;

    protected ForwardingBroker(Broker delegate) {
        this.delegate = delegate;
    }

    /** The broker every verb goes to. */
    public Broker delegate() {
        return delegate;
    }

    @Override
    public String describe() {
        return delegate.describe();
    }

    @Override
    public Set<Capability> capabilities() {
        return delegate.capabilities();
    }

    @Override
    public Instant now() {
        return delegate.now();
    }

    @Override
    public List<EnqueueResult> jobsEnqueue(EnqueueRequest request) {
        return delegate.jobsEnqueue(request);
    }

    @Override
    public List<Job> jobsClaim(ClaimRequest request) {
        return delegate.jobsClaim(request);
    }

    @Override
    public List<Job> jobsFetch(FetchRequest request) throws InterruptedException {
        return delegate.jobsFetch(request);
    }

    @Override
    public LeaseReport leasesExtend(LeaseExtension extension) {
        return delegate.leasesExtend(extension);
    }

    @Override
    public List<Boolean> jobsComplete(List<Completion> completions) {
        return delegate.jobsComplete(completions);
    }

    @Override
    public List<Boolean> jobsComplete(List<Completion> completions, Connection connection) {
        return delegate.jobsComplete(completions, connection);
    }

    @Override
    public int jobsPromoteDue(int limit) {
        return delegate.jobsPromoteDue(limit);
    }

    @Override
    public int jobsAge(String queue, Instant dueBefore, int ceiling, int limit) {
        return delegate.jobsAge(queue, dueBefore, ceiling, limit);
    }

    @Override
    public RescueResult leasesRescueExpired(int limit) {
        return delegate.leasesRescueExpired(limit);
    }

    @Override
    public int jobsPrune(PruneRequest request) {
        return delegate.jobsPrune(request);
    }

    @Override
    public List<CancelResult> jobsCancel(List<String> ids) {
        return delegate.jobsCancel(ids);
    }

    @Override
    public int jobsRetry(RetryRequest request) {
        return delegate.jobsRetry(request);
    }

    @Override
    public int jobsDelete(List<String> ids) {
        return delegate.jobsDelete(ids);
    }

    @Override
    public int queuePurge(String queue) {
        return delegate.queuePurge(queue);
    }

    @Override
    public void queuePause(String queue, boolean paused) {
        delegate.queuePause(queue, paused);
    }

    @Override
    public Optional<Job> jobGet(String id) {
        return delegate.jobGet(id);
    }

    @Override
    public List<Job> jobsList(JobQuery query) {
        return delegate.jobsList(query);
    }

    @Override
    public List<Job> jobsGet(List<String> ids) {
        return delegate.jobsGet(ids);
    }

    @Override
    public List<QueueInfo> queuesList() {
        return delegate.queuesList();
    }

    @Override
    public List<StatsBucket> statsHistory(Instant since, String queue) {
        return delegate.statsHistory(since, queue);
    }

    @Override
    public Optional<Job> jobAwait(String id, Duration timeout) throws InterruptedException {
        return delegate.jobAwait(id, timeout);
    }

    @Override
    public void workerHeartbeat(WorkerInfo info) {
        delegate.workerHeartbeat(info);
    }

    @Override
    public List<WorkerInfo> workersList() {
        return delegate.workersList();
    }

    @Override
    public void workerRemove(String workerId) {
        delegate.workerRemove(workerId);
    }

    @Override
    public Optional<String> kvGet(String key) {
        return delegate.kvGet(key);
    }

    @Override
    public void kvPut(String key, String value) {
        delegate.kvPut(key, value);
    }

    @Override
    public void kvDelete(String key) {
        delegate.kvDelete(key);
    }

    @Override
    public boolean kvCompareAndSet(String key, String expected, String value) {
        return delegate.kvCompareAndSet(key, expected, value);
    }

    @Override
    public Map<String, String> kvList(String prefix) {
        return delegate.kvList(prefix);
    }

    @Override
    public RateTake.Taken kvTakeRate(RateTake take) {
        return delegate.kvTakeRate(take);
    }

    @Override
    public List<RateTake.Taken> kvTakeRates(List<RateTake> takes) {
        return delegate.kvTakeRates(takes);
    }

    @Override
    public boolean lockTry(String name, String owner, Duration ttl) {
        return delegate.lockTry(name, owner, ttl);
    }

    @Override
    public void lockRelease(String name, String owner) {
        delegate.lockRelease(name, owner);
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public Map<JobState, Long> queueCounts(String queue) {
        return delegate.queueCounts(queue);
    }

    @Override
    public String toString() {
        return describe();
    }
}
