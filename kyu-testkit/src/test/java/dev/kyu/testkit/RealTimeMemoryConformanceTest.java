package dev.kyu.testkit;

import dev.kyu.broker.memory.MemoryBroker;
import dev.kyu.broker.memory.MemoryCorruption;
import dev.kyu.job.Job;
import dev.kyu.spi.Broker;
import dev.kyu.spi.CancelResult;
import dev.kyu.spi.Capability;
import dev.kyu.spi.Completion;
import dev.kyu.spi.EnqueueRequest;
import dev.kyu.spi.EnqueueResult;
import dev.kyu.spi.FetchRequest;
import dev.kyu.spi.JobQuery;
import dev.kyu.spi.LeaseExtension;
import dev.kyu.spi.LeaseReport;
import dev.kyu.spi.PruneRequest;
import dev.kyu.spi.QueueInfo;
import dev.kyu.spi.RescueResult;
import dev.kyu.spi.RetryRequest;
import dev.kyu.spi.StatsBucket;
import dev.kyu.spi.WorkerInfo;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The suite's other time path, the one Redis and PostgreSQL take: the memory engine on the system clock,
 * declaring no {@link Capability#INJECTABLE_CLOCK}, so the suite waits out short real durations.
 */
class RealTimeMemoryConformanceTest extends BrokerConformanceSuite {
    @Override
    protected Broker openBroker(Clock ignored) {
        return new ServerTime(MemoryBroker.open(Clock.systemUTC()));
    }

    @Override
    protected String plantRawJob(Broker broker, RawJob job) throws Exception {
        return MemoryCorruption.plant(((ServerTime) broker).engine, job);
    }

    @Override
    protected String insertCorruptJob(Broker broker, String queue) {
        return MemoryCorruption.insert(((ServerTime) broker).engine, queue);
    }

    /** Hides the injectable clock: every verb goes straight to the engine. */
    private record ServerTime(MemoryBroker engine) implements Broker {
        @Override
        public String describe() {
            return engine.describe();
        }

        @Override
        public Set<Capability> capabilities() {
            return Set.of();
        }

        @Override
        public Instant now() {
            return engine.now();
        }

        @Override
        public List<EnqueueResult> jobsEnqueue(EnqueueRequest r) {
            return engine.jobsEnqueue(r);
        }

        @Override
        public List<Job> jobsFetch(FetchRequest r) throws InterruptedException {
            return engine.jobsFetch(r);
        }

        @Override
        public LeaseReport leasesExtend(LeaseExtension e) {
            return engine.leasesExtend(e);
        }

        @Override
        public List<Boolean> jobsComplete(List<Completion> c) {
            return engine.jobsComplete(c);
        }

        @Override
        public int jobsPromoteDue(int limit) {
            return engine.jobsPromoteDue(limit);
        }

        @Override
        public int jobsAge(String q, java.time.Instant before, int ceiling, int limit) {
            return engine.jobsAge(q, before, ceiling, limit);
        }

        @Override
        public List<Job> jobsClaim(dev.kyu.spi.ClaimRequest r) {
            return engine.jobsClaim(r);
        }

        @Override
        public List<Job> jobsGet(List<String> ids) {
            return engine.jobsGet(ids);
        }

        @Override
        public RescueResult leasesRescueExpired(int limit) {
            return engine.leasesRescueExpired(limit);
        }

        @Override
        public int jobsPrune(PruneRequest r) {
            return engine.jobsPrune(r);
        }

        @Override
        public List<CancelResult> jobsCancel(List<String> ids) {
            return engine.jobsCancel(ids);
        }

        @Override
        public int jobsRetry(RetryRequest r) {
            return engine.jobsRetry(r);
        }

        @Override
        public int jobsDelete(List<String> ids) {
            return engine.jobsDelete(ids);
        }

        @Override
        public int queuePurge(String q) {
            return engine.queuePurge(q);
        }

        @Override
        public void queuePause(String q, boolean p) {
            engine.queuePause(q, p);
        }

        @Override
        public Optional<Job> jobGet(String id) {
            return engine.jobGet(id);
        }

        @Override
        public List<Job> jobsList(JobQuery q) {
            return engine.jobsList(q);
        }

        @Override
        public List<QueueInfo> queuesList() {
            return engine.queuesList();
        }

        @Override
        public List<StatsBucket> statsHistory(Instant since, String q) {
            return engine.statsHistory(since, q);
        }

        @Override
        public Optional<Job> jobAwait(String id, Duration t) throws InterruptedException {
            return engine.jobAwait(id, t);
        }

        @Override
        public void workerHeartbeat(WorkerInfo i) {
            engine.workerHeartbeat(i);
        }

        @Override
        public List<WorkerInfo> workersList() {
            return engine.workersList();
        }

        @Override
        public void workerRemove(String id) {
            engine.workerRemove(id);
        }

        @Override
        public Optional<String> kvGet(String k) {
            return engine.kvGet(k);
        }

        @Override
        public void kvPut(String k, String v) {
            engine.kvPut(k, v);
        }

        @Override
        public void kvDelete(String k) {
            engine.kvDelete(k);
        }

        @Override
        public boolean kvCompareAndSet(String k, String expected, String value) {
            return engine.kvCompareAndSet(k, expected, value);
        }

        @Override
        public Map<String, String> kvList(String p) {
            return engine.kvList(p);
        }

        @Override
        public boolean lockTry(String n, String o, Duration t) {
            return engine.lockTry(n, o, t);
        }

        @Override
        public void lockRelease(String n, String o) {
            engine.lockRelease(n, o);
        }

        @Override
        public void close() {
            engine.close();
        }
    }
}
