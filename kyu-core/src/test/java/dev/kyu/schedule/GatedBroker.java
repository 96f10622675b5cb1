package dev.kyu.schedule;

import dev.kyu.job.Job;
import dev.kyu.spi.*;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A real broker with a gate in front of enqueue, to stall one scheduler in the middle of its pass (as a
 * long GC pause or a frozen VM would) and resume it later. Everything else passes straight through.
 */
final class GatedBroker implements Broker {
    private final Broker inner;
    private volatile CountDownLatch gate;
    private volatile CountDownLatch arrived;

    GatedBroker(Broker inner) {
        this.inner = inner;
    }

    /** The next enqueue blocks until {@link #open()}; returns a latch that counts down when it arrives. */
    CountDownLatch closeGate() {
        gate = new CountDownLatch(1);
        arrived = new CountDownLatch(1);
        return arrived;
    }

    void open() {
        gate.countDown();
    }

    @Override
    public List<EnqueueResult> jobsEnqueue(EnqueueRequest request) {
        CountDownLatch g = gate;
        if (g != null) {
            arrived.countDown();
            try {
                if (!g.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("gate never opened");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            gate = null;
        }
        return inner.jobsEnqueue(request);
    }

    @Override
    public String describe() {
        return inner.describe();
    }

    @Override
    public Set<Capability> capabilities() {
        return inner.capabilities();
    }

    @Override
    public Instant now() {
        return inner.now();
    }

    @Override
    public List<Job> jobsFetch(FetchRequest r) throws InterruptedException {
        return inner.jobsFetch(r);
    }

    @Override
    public LeaseReport leasesExtend(LeaseExtension e) {
        return inner.leasesExtend(e);
    }

    @Override
    public List<Boolean> jobsComplete(List<Completion> c) {
        return inner.jobsComplete(c);
    }

    @Override
    public int jobsPromoteDue(int limit) {
        return inner.jobsPromoteDue(limit);
    }

    @Override
    public int jobsAge(String q, java.time.Instant before, int ceiling, int limit) {
        return inner.jobsAge(q, before, ceiling, limit);
    }

    @Override
    public List<Job> jobsClaim(dev.kyu.spi.ClaimRequest r) {
        return inner.jobsClaim(r);
    }

    @Override
    public List<Job> jobsGet(List<String> ids) {
        return inner.jobsGet(ids);
    }

    @Override
    public RescueResult leasesRescueExpired(int limit) {
        return inner.leasesRescueExpired(limit);
    }

    @Override
    public int jobsPrune(PruneRequest r) {
        return inner.jobsPrune(r);
    }

    @Override
    public List<CancelResult> jobsCancel(List<String> ids) {
        return inner.jobsCancel(ids);
    }

    @Override
    public int jobsRetry(RetryRequest r) {
        return inner.jobsRetry(r);
    }

    @Override
    public int jobsDelete(List<String> ids) {
        return inner.jobsDelete(ids);
    }

    @Override
    public int queuePurge(String q) {
        return inner.queuePurge(q);
    }

    @Override
    public void queuePause(String q, boolean p) {
        inner.queuePause(q, p);
    }

    @Override
    public Optional<Job> jobGet(String id) {
        return inner.jobGet(id);
    }

    @Override
    public List<Job> jobsList(JobQuery q) {
        return inner.jobsList(q);
    }

    @Override
    public List<QueueInfo> queuesList() {
        return inner.queuesList();
    }

    @Override
    public List<StatsBucket> statsHistory(Instant since, String q) {
        return inner.statsHistory(since, q);
    }

    @Override
    public void workerHeartbeat(WorkerInfo i) {
        inner.workerHeartbeat(i);
    }

    @Override
    public List<WorkerInfo> workersList() {
        return inner.workersList();
    }

    @Override
    public void workerRemove(String id) {
        inner.workerRemove(id);
    }

    @Override
    public Optional<String> kvGet(String k) {
        return inner.kvGet(k);
    }

    @Override
    public void kvPut(String k, String v) {
        inner.kvPut(k, v);
    }

    @Override
    public void kvDelete(String k) {
        inner.kvDelete(k);
    }

    @Override
    public boolean kvCompareAndSet(String k, String expected, String value) {
        return inner.kvCompareAndSet(k, expected, value);
    }

    @Override
    public Map<String, String> kvList(String p) {
        return inner.kvList(p);
    }

    @Override
    public boolean lockTry(String n, String o, Duration ttl) {
        return inner.lockTry(n, o, ttl);
    }

    @Override
    public void lockRelease(String n, String o) {
        inner.lockRelease(n, o);
    }

    @Override
    public void close() {
        inner.close();
    }
}
