package dev.kyu.broker.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kyu.KyuException;
import dev.kyu.job.Job;
import dev.kyu.job.JobError;
import dev.kyu.job.JobIds;
import dev.kyu.job.JobState;
import dev.kyu.job.UniqueScope;
import dev.kyu.spi.CancelResult;
import dev.kyu.spi.Completion;
import dev.kyu.spi.EnqueueRequest;
import dev.kyu.spi.EnqueueResult;
import dev.kyu.spi.FetchRequest;
import dev.kyu.spi.JobQuery;
import dev.kyu.spi.LeaseExtension;
import dev.kyu.spi.LeaseReport;
import dev.kyu.spi.NewJob;
import dev.kyu.spi.Outcome;
import dev.kyu.spi.PruneRequest;
import dev.kyu.spi.RescueResult;
import dev.kyu.spi.RetryRequest;
import dev.kyu.spi.WorkerInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The engine's promises (docs/delivery.md) against a real PostgreSQL, one fresh schema per test. */
class PostgresBrokerTest {
    private PostgresBroker broker;

    @BeforeEach
    void open() throws Exception {
        broker = TestPostgres.open(TestPostgres.freshUrl());
    }

    @AfterEach
    void close() {
        broker.close();
        TestPostgres.dropSchema(broker.schema());
    }

    static NewJob job(String queue) {
        return NewJob.builder(JobIds.next(), "t").queue(queue).args("{\"n\":1}").maxAttempts(3).build();
    }

    private List<EnqueueResult> enqueue(NewJob... jobs) {
        return broker.jobsEnqueue(EnqueueRequest.of(List.of(jobs)));
    }

    private List<Job> fetch(String queue, int limit) throws InterruptedException {
        return broker.jobsFetch(new FetchRequest("w1", List.of(queue), limit, Duration.ofSeconds(30), Duration.ZERO));
    }

    @Test
    void aLoneJobDueNowKeepsEveryFieldAndIsRefusedWhenItsIdExists() {
        // one unkeyed job due at once takes the one-row INSERT, not the batch statement
        NewJob j = NewJob.builder(JobIds.next(), "t").queue("q").args("{\"n\":1}").priority(7).maxAttempts(4)
                .timeout(Duration.ofSeconds(5)).backoff("fixed:1s").meta(Map.of("trace", "\"abc\" \u2603")).build();
        assertThat(enqueue(j)).containsExactly(new EnqueueResult(j.id(), true));
        Job stored = broker.jobGet(j.id()).orElseThrow();
        assertThat(stored.state()).isEqualTo(JobState.QUEUED);
        assertThat(stored.priority()).isEqualTo(7);
        assertThat(stored.maxAttempts()).isEqualTo(4);
        assertThat(stored.timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(stored.backoff()).isEqualTo("fixed:1s");
        assertThat(stored.meta()).isEqualTo(Map.of("trace", "\"abc\" \u2603"));

        NewJob again = NewJob.builder(j.id(), "t").queue("q").args("{\"n\":2}").build();
        assertThatThrownBy(() -> enqueue(again)).isInstanceOf(KyuException.InvalidInput.class);
        assertThat(broker.jobGet(j.id()).orElseThrow().args()).isEqualTo("{\"n\":1}");
    }

    @Test
    void aDelayedJobIsPromotedByFetchesThatKeepClaimingOtherJobs() throws Exception {
        // No maintenance runs here, and every fetch below claims a job, so a fetch never comes back empty:
        // only the periodic due check of a claiming fetch can promote the delayed job.
        String delayed = enqueue(NewJob.builder(JobIds.next(), "t").queue("busy").delay(Duration.ofMillis(200)).build()).get(0).id();
        var seen = new HashSet<String>();
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!seen.contains(delayed) && System.nanoTime() < end) {
            enqueue(job("busy"));
            List<Job> got = fetch("busy", 5);
            assertThat(got).isNotEmpty();
            got.forEach(j -> seen.add(j.id()));
        }
        assertThat(seen).contains(delayed);
        assertThat(broker.jobGet(delayed).orElseThrow().state()).isEqualTo(JobState.RUNNING);
    }

    @Test
    void enqueueFetchComplete() throws Exception {
        NewJob j = job("q");
        assertThat(enqueue(j)).containsExactly(new EnqueueResult(j.id(), true));
        Job stored = broker.jobGet(j.id()).orElseThrow();
        assertThat(stored.state()).isEqualTo(JobState.QUEUED);
        assertThat(stored.args()).isEqualTo("{\"n\":1}");

        List<Job> got = fetch("q", 10);
        assertThat(got).extracting(Job::id).containsExactly(j.id());
        Job running = got.get(0);
        assertThat(running.state()).isEqualTo(JobState.RUNNING);
        assertThat(running.attempt()).isEqualTo(1);
        assertThat(running.workerId()).isEqualTo("w1");
        assertThat(running.leaseExpiresAt()).isAfter(running.startedAt());

        assertThat(broker.jobsComplete(List.of(new Completion(running.lease(), new Outcome.Succeeded("42"))))).containsExactly(true);
        Job done = broker.jobGet(j.id()).orElseThrow();
        assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(done.result()).isEqualTo("42");
        assertThat(broker.statsHistory(Instant.now().minusSeconds(120), "q")).extracting(b -> b.succeeded()).containsExactly(1L);
        // fenced: the same lease cannot complete twice
        assertThat(broker.jobsComplete(List.of(new Completion(running.lease(), new Outcome.Succeeded("43"))))).containsExactly(false);
    }

    @Test
    void priorityThenFifoAndStrictQueueOrder() throws Exception {
        NewJob low1 = job("a"), high = NewJob.builder(JobIds.next(), "t").queue("a").priority(5).build(), low2 = job("a");
        NewJob other = job("b");
        enqueue(other);
        enqueue(low1, high, low2);
        List<Job> got = broker.jobsFetch(new FetchRequest("w", List.of("a", "b"), 10, Duration.ofSeconds(30), Duration.ZERO));
        assertThat(got).extracting(Job::id).containsExactly(high.id(), low1.id(), low2.id(), other.id());
    }

    @Test
    void concurrentFetchersNeverShareAJob() throws Exception {
        var jobs = new ArrayList<NewJob>();
        for (int i = 0; i < 500; i++) jobs.add(job("c"));
        broker.jobsEnqueue(EnqueueRequest.of(jobs));
        Set<String> seen = ConcurrentHashMap.newKeySet();
        List<String> dupes = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            var futures = new ArrayList<Future<?>>();
            for (int w = 0; w < 8; w++) {
                String worker = "w" + w;
                futures.add(pool.submit(() -> {
                    while (true) {
                        List<Job> got = broker.jobsFetch(new FetchRequest(worker, List.of("c"), 7, Duration.ofSeconds(30), Duration.ZERO));
                        if (got.isEmpty()) return null;
                        for (Job j : got) if (!seen.add(j.id())) synchronized (dupes) { dupes.add(j.id()); }
                        broker.jobsComplete(got.stream().map(j -> new Completion(j.lease(), new Outcome.Succeeded("null"))).toList());
                    }
                }));
            }
            for (var f : futures) f.get();
        } finally {
            pool.shutdownNow();
        }
        assertThat(dupes).isEmpty();
        assertThat(seen).hasSize(500);
        assertThat(broker.queueCounts("c").get(JobState.SUCCEEDED)).isEqualTo(500L);
    }

    @Test
    void idleFetcherIsWokenByNotifyFromAnotherBroker() throws Exception {
        try (PostgresBroker producer = TestPostgres.open(TestPostgres.baseUrl() + "?schema=" + broker.schema() + "&poolSize=2")) {
            CompletableFuture<List<Job>> waiting = CompletableFuture.supplyAsync(() -> {
                try {
                    return broker.jobsFetch(new FetchRequest("w", List.of("n"), 1, Duration.ofSeconds(30), Duration.ofSeconds(60)));
                } catch (InterruptedException e) {
                    return List.of();
                }
            });
            await().atMost(Duration.ofSeconds(10)).until(broker::listening); // LISTEN starts with the first fetch
            NewJob j = job("n");
            producer.jobsEnqueue(EnqueueRequest.of(List.of(j)));
            assertThat(producer.listening()).as("a broker that never fetched holds no LISTEN connection").isFalse();
            // the fallback poll is 5 s; the NOTIFY gets there long before
            List<Job> got = waiting.get(4, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(got).extracting(Job::id).containsExactly(j.id());
        }
    }

    @Test
    void withoutListenAnIdleFetcherFindsWorkByPolling() throws Exception {
        try (PostgresBroker polling = TestPostgres.open(TestPostgres.baseUrl() + "?schema=" + broker.schema() + "&listen=false&pollInterval=100ms")) {
            assertThat(polling.listening()).isFalse();
            CompletableFuture<List<Job>> waiting = CompletableFuture.supplyAsync(() -> {
                try {
                    return polling.jobsFetch(new FetchRequest("w", List.of("poll"), 1, Duration.ofSeconds(30), Duration.ofSeconds(60)));
                } catch (InterruptedException e) {
                    return List.of();
                }
            });
            NewJob j = job("poll");
            enqueue(j); // through the other broker: no in-process wake-up reaches the polling one
            assertThat(waiting.get(20, java.util.concurrent.TimeUnit.SECONDS)).extracting(Job::id).containsExactly(j.id());
        }
    }

    @Test
    void closeWakesABlockedFetch() throws Exception {
        PostgresBroker other = TestPostgres.open(TestPostgres.baseUrl() + "?schema=" + broker.schema());
        CompletableFuture<List<Job>> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return other.jobsFetch(new FetchRequest("w", List.of("none"), 1, Duration.ofSeconds(30), Duration.ofSeconds(60)));
            } catch (InterruptedException e) {
                return List.of();
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(other::listening);
        other.close();
        assertThat(waiting.get(20, java.util.concurrent.TimeUnit.SECONDS)).isEmpty();
    }

    @Test
    void leasesHeartbeatFencingAndRescue() throws Exception {
        NewJob j = job("r");
        enqueue(j);
        Job first = broker.jobsFetch(new FetchRequest("w1", List.of("r"), 1, Duration.ofMillis(200), Duration.ZERO)).get(0);
        LeaseReport ok = broker.leasesExtend(new LeaseExtension("w1", List.of(first.lease()), Duration.ofMillis(200)));
        assertThat(ok.lost()).isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> broker.leasesRescueExpired(100).requeued().contains(j.id()));
        Job rescued = broker.jobGet(j.id()).orElseThrow();
        assertThat(rescued.state()).isEqualTo(JobState.QUEUED);
        assertThat(rescued.lastError().type()).isEqualTo(JobError.WORKER_LOST);

        Job second = broker.jobsFetch(new FetchRequest("w2", List.of("r"), 1, Duration.ofSeconds(30), Duration.ZERO)).get(0);
        assertThat(second.attempt()).isEqualTo(2);
        // the first worker lost its lease: its heartbeat says so and its outcome is refused
        assertThat(broker.leasesExtend(new LeaseExtension("w1", List.of(first.lease()), Duration.ofSeconds(30))).lost()).containsExactly(j.id());
        assertThat(broker.jobsComplete(List.of(new Completion(first.lease(), new Outcome.Succeeded("1"))))).containsExactly(false);
        assertThat(broker.jobsComplete(List.of(new Completion(second.lease(), new Outcome.Succeeded("2"))))).containsExactly(true);
        assertThat(broker.jobGet(j.id()).orElseThrow().result()).isEqualTo("2");
    }

    @Test
    void aHeartbeatNeverWaitsForARowAnotherTransactionHolds() throws Exception {
        // Under load the completer's batch UPDATE holds running jobs' rows while a heartbeat extends their
        // leases; when the heartbeat waited for those rows, the two deadlocked.
        NewJob a = job("hb"), b = job("hb");
        enqueue(a, b);
        List<Job> running = fetch("hb", 2);
        Job held = running.get(0), free = running.get(1);
        try (var tx = TestPostgres.connect()) {
            tx.setAutoCommit(false);
            try (var st = tx.prepareStatement("SELECT id FROM \"" + broker.schema() + "\".kyu_jobs WHERE id = ?::uuid FOR UPDATE")) {
                st.setString(1, held.id());
                st.executeQuery().close();
            }
            Instant before = broker.jobGet(free.id()).orElseThrow().leaseExpiresAt();
            LeaseReport report = CompletableFuture
                    .supplyAsync(() -> broker.leasesExtend(new LeaseExtension("w1", List.of(held.lease(), free.lease()), Duration.ofMinutes(10))))
                    .get(10, java.util.concurrent.TimeUnit.SECONDS);
            // the locked job still counts as held; the other one's lease moved on
            assertThat(report.lost()).isEmpty();
            assertThat(broker.jobGet(free.id()).orElseThrow().leaseExpiresAt()).isAfter(before.plus(Duration.ofMinutes(5)));
            tx.rollback();
        }
        // a lease that is no longer the caller's is still reported lost
        assertThat(broker.jobsComplete(List.of(new Completion(held.lease(), new Outcome.Succeeded("1"))))).containsExactly(true);
        assertThat(broker.leasesExtend(new LeaseExtension("w1", List.of(held.lease()), Duration.ofMinutes(10))).lost()).containsExactly(held.id());
    }

    @Test
    void aCompletionBatchLocksItsRowsInIdOrderAsAdminActionsDo() throws Exception {
        // Cancel, retry and delete lock their rows in id order. A completion batch that locked the same
        // running jobs in another order could deadlock with them.
        for (int i = 0; i < 5; i++) enqueue(job("ord"));
        List<Job> jobs = fetch("ord", 5).stream().sorted(java.util.Comparator.comparing(Job::id)).toList();
        // one kind of outcome, one statement: the batch names the higher id first
        List<Job> pair = jobs.subList(0, 2);
        assertThat(completeWhileAnAdminLocks(pair, List.of(
                new Completion(pair.get(1).lease(), new Outcome.Succeeded("1")),
                new Completion(pair.get(0).lease(), new Outcome.Succeeded("1"))))).containsExactly(true, true);
        // a mixed batch runs a statement per kind: successes, then hand-backs, then failures
        List<Job> three = jobs.subList(2, 5);
        Job low = three.get(0), mid = three.get(1), high = three.get(2);
        var err = JobError.reason(1, "X", "boom", Instant.now());
        assertThat(completeWhileAnAdminLocks(three, List.of(
                new Completion(high.lease(), new Outcome.Succeeded("1")),
                new Completion(mid.lease(), new Outcome.Released(Duration.ZERO)),
                new Completion(low.lease(), new Outcome.Dead(err))))).containsExactly(true, true, true);
        assertThat(broker.jobGet(high.id()).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(broker.jobGet(mid.id()).orElseThrow().state()).isEqualTo(JobState.QUEUED);
        assertThat(broker.jobGet(low.id()).orElseThrow().state()).isEqualTo(JobState.FAILED);
    }

    /** Completes the batch while another transaction locks the same rows in id order, as admin actions do. */
    private List<Boolean> completeWhileAnAdminLocks(List<Job> inIdOrder, List<Completion> batch) throws Exception {
        try (var admin = TestPostgres.connect()) {
            admin.setAutoCommit(false);
            try (var st = admin.createStatement()) {
                // shorter than deadlock_timeout (1 s): a deadlock shows as this side's lock timing out
                st.execute("SET LOCAL lock_timeout = '300ms'");
            }
            lockRow(admin, inIdOrder.get(0).id());
            var completing = CompletableFuture.supplyAsync(() -> broker.jobsComplete(batch));
            await().atMost(Duration.ofSeconds(10)).until(this::someoneWaitsForARowLock);
            // the batch waits for the first row holding none of the others, so the admin side takes them
            for (Job j : inIdOrder.subList(1, inIdOrder.size())) lockRow(admin, j.id());
            admin.rollback();
            return completing.get(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    private void lockRow(java.sql.Connection tx, String id) throws java.sql.SQLException {
        try (var st = tx.prepareStatement("SELECT id FROM \"" + broker.schema() + "\".kyu_jobs WHERE id = ?::uuid FOR UPDATE")) {
            st.setString(1, id);
            st.executeQuery().close();
        }
    }

    private boolean someoneWaitsForARowLock() throws Exception {
        try (var c = TestPostgres.connect();
             var st = c.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE ?")) {
            st.setString(1, "%\"" + broker.schema() + "\".kyu_jobs%");
            try (var rs = st.executeQuery()) {
                rs.next();
                return rs.getInt(1) > 0;
            }
        }
    }

    @Test
    void rescueFailsAJobWhoseAttemptsAreSpent() throws Exception {
        NewJob j = NewJob.builder(JobIds.next(), "t").queue("x").maxAttempts(1).build();
        enqueue(j);
        broker.jobsFetch(new FetchRequest("w", List.of("x"), 1, Duration.ofMillis(1), Duration.ZERO));
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            RescueResult r = broker.leasesRescueExpired(10);
            return r.failed().contains(j.id());
        });
        assertThat(broker.jobGet(j.id()).orElseThrow().state()).isEqualTo(JobState.FAILED);
    }

    @Test
    void retryGoesBackScheduledAndDeadLetters() throws Exception {
        NewJob j = job("f");
        enqueue(j);
        Job a1 = fetch("f", 1).get(0);
        var err = JobError.reason(1, "java.lang.IllegalStateException", "boom", Instant.now());
        assertThat(broker.jobsComplete(List.of(new Completion(a1.lease(), new Outcome.Retry(err, Duration.ZERO))))).containsExactly(true);
        assertThat(broker.jobGet(j.id()).orElseThrow().state()).isEqualTo(JobState.SCHEDULED);
        Job a2 = fetch("f", 1).get(0); // due at once: the fetch promotes it
        assertThat(a2.attempt()).isEqualTo(2);
        broker.jobsComplete(List.of(new Completion(a2.lease(), new Outcome.Dead(JobError.reason(2, "X", "dead", Instant.now())))));
        Job dead = broker.jobGet(j.id()).orElseThrow();
        assertThat(dead.state()).isEqualTo(JobState.FAILED);
        assertThat(dead.errors()).extracting(JobError::message).containsExactly("boom", "dead");
        assertThat(broker.jobsRetry(RetryRequest.allFailed("f"))).isEqualTo(1);
        Job again = broker.jobGet(j.id()).orElseThrow();
        assertThat(again.state()).isEqualTo(JobState.QUEUED);
        assertThat(again.attempt()).isZero();
        assertThat(again.errors()).hasSize(2);
    }

    @Test
    void releaseGivesTheAttemptBack() throws Exception {
        NewJob j = job("rel");
        enqueue(j);
        Job a = fetch("rel", 1).get(0);
        assertThat(broker.jobsComplete(List.of(new Completion(a.lease(), new Outcome.Released(Duration.ZERO))))).containsExactly(true);
        Job back = broker.jobGet(j.id()).orElseThrow();
        assertThat(back.state()).isEqualTo(JobState.QUEUED);
        assertThat(back.attempt()).isZero();
    }

    @Test
    void delayedJobWaitsUntilDueAndWakesTheFetcher() throws Exception {
        NewJob j = NewJob.builder(JobIds.next(), "t").queue("d").delay(Duration.ofMillis(700)).build();
        enqueue(j);
        assertThat(broker.jobGet(j.id()).orElseThrow().state()).isEqualTo(JobState.SCHEDULED);
        assertThat(fetch("d", 1)).isEmpty();
        List<Job> got = broker.jobsFetch(new FetchRequest("w", List.of("d"), 1, Duration.ofSeconds(30), Duration.ofSeconds(20)));
        assertThat(got).extracting(Job::id).containsExactly(j.id());
    }

    @Test
    void promoteDueMovesScheduledJobs() {
        NewJob j = NewJob.builder(JobIds.next(), "t").queue("p").runAt(Instant.now().plusMillis(300)).build();
        enqueue(j);
        await().atMost(Duration.ofSeconds(10)).until(() -> broker.jobsPromoteDue(100) == 1);
        assertThat(broker.jobGet(j.id()).orElseThrow().state()).isEqualTo(JobState.QUEUED);
    }

    @Test
    void uniqueKeysAreEnforcedByTheDatabase() throws Exception {
        NewJob a = NewJob.builder(JobIds.next(), "t").queue("u").unique("k", UniqueScope.ACTIVE, null).build();
        NewJob b = NewJob.builder(JobIds.next(), "t").queue("u").unique("k", UniqueScope.ACTIVE, null).build();
        NewJob c = NewJob.builder(JobIds.next(), "t").queue("u").unique("k", UniqueScope.ACTIVE, null).build();
        assertThat(broker.jobsEnqueue(EnqueueRequest.of(List.of(a, b)))).containsExactly(
                new EnqueueResult(a.id(), true), new EnqueueResult(a.id(), false));
        assertThat(enqueue(c)).containsExactly(new EnqueueResult(a.id(), false));
        Job run = fetch("u", 1).get(0);
        assertThat(enqueue(c)).containsExactly(new EnqueueResult(a.id(), false)); // ACTIVE covers RUNNING
        broker.jobsComplete(List.of(new Completion(run.lease(), new Outcome.Succeeded("null"))));
        assertThat(enqueue(c)).containsExactly(new EnqueueResult(c.id(), true));

        // QUEUED scope: free again once the job runs
        NewJob q1 = NewJob.builder(JobIds.next(), "t").queue("uq").unique("kq", UniqueScope.QUEUED, null).build();
        NewJob q2 = NewJob.builder(JobIds.next(), "t").queue("uq").unique("kq", UniqueScope.QUEUED, null).build();
        enqueue(q1);
        assertThat(enqueue(q2)).containsExactly(new EnqueueResult(q1.id(), false));
        fetch("uq", 1);
        assertThat(enqueue(q2)).containsExactly(new EnqueueResult(q2.id(), true));

        // PERIOD scope: held whatever becomes of the job
        NewJob p1 = NewJob.builder(JobIds.next(), "t").queue("up").unique("kp", UniqueScope.PERIOD, Duration.ofHours(1)).build();
        NewJob p2 = NewJob.builder(JobIds.next(), "t").queue("up").unique("kp", UniqueScope.PERIOD, Duration.ofHours(1)).build();
        enqueue(p1);
        broker.jobsCancel(List.of(p1.id()));
        assertThat(enqueue(p2)).containsExactly(new EnqueueResult(p1.id(), false));
    }

    @Test
    void concurrentEnqueuesOfOneKeyCreateOneJob() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            var futures = new ArrayList<Future<EnqueueResult>>();
            for (int i = 0; i < 30; i++) {
                futures.add(pool.submit(() -> enqueue(NewJob.builder(JobIds.next(), "t").queue("cu").unique("same", UniqueScope.ACTIVE, null).build()).get(0)));
            }
            Set<String> ids = new HashSet<>();
            int created = 0;
            for (var f : futures) {
                EnqueueResult r = f.get();
                ids.add(r.id());
                if (r.created()) created++;
            }
            assertThat(created).isEqualTo(1);
            assertThat(ids).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void pausePurgeCancelDelete() throws Exception {
        NewJob a = job("pz"), b = job("pz"), c = job("pz");
        enqueue(a, b, c);
        broker.queuePause("pz", true);
        assertThat(fetch("pz", 10)).isEmpty();
        assertThat(broker.queuesList()).filteredOn(q -> q.queue().equals("pz")).singleElement()
                .satisfies(q -> { assertThat(q.paused()).isTrue(); assertThat(q.count(JobState.QUEUED)).isEqualTo(3); });
        broker.queuePause("pz", false);
        Job running = fetch("pz", 1).get(0);
        assertThat(broker.jobsCancel(List.of(running.id(), b.id().equals(running.id()) ? a.id() : b.id(), JobIds.next(), "nonsense")))
                .containsExactly(CancelResult.CANCEL_REQUESTED, CancelResult.CANCELLED, CancelResult.NOT_FOUND, CancelResult.NOT_FOUND);
        assertThat(broker.leasesExtend(new LeaseExtension("w1", List.of(running.lease()), Duration.ofSeconds(30))).cancelRequested())
                .containsExactly(running.id());
        assertThat(broker.jobsDelete(List.of(running.id()))).isZero(); // RUNNING is never deleted
        assertThat(broker.queuePurge("pz")).isEqualTo(1);
        assertThat(broker.queueCounts("pz").get(JobState.CANCELLED)).isEqualTo(1L);
    }

    @Test
    void pruneDeletesOldTerminalJobsInBoundedBatches() throws Exception {
        var jobs = new ArrayList<NewJob>();
        for (int i = 0; i < 5; i++) jobs.add(job("old"));
        broker.jobsEnqueue(EnqueueRequest.of(jobs));
        List<Job> got = fetch("old", 5);
        broker.jobsComplete(got.stream().map(j -> new Completion(j.lease(), new Outcome.Succeeded("null"))).toList());
        var r = new PruneRequest(Duration.ZERO, Duration.ZERO, Duration.ofDays(1), Duration.ofMinutes(5), 3);
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.jobsPrune(r) == 3);
        assertThat(broker.jobsPrune(r)).isEqualTo(2);
        assertThat(broker.jobsList(JobQuery.all(100))).isEmpty();
    }

    @Test
    void corruptRowsAreQuarantinedNotThrown() throws Exception {
        NewJob good = job("bad");
        enqueue(good);
        String badErrors = JobIds.next();
        String badState = JobIds.next();
        TestPostgres.execute("INSERT INTO \"" + broker.schema() + "\".kyu_jobs (id, task, queue, args, state, enqueued_at, scheduled_at, errors) "
                + "VALUES ('" + badErrors + "', 't', 'bad', '{', 'QUEUED', now(), now(), 'not json [')");
        TestPostgres.execute("INSERT INTO \"" + broker.schema() + "\".kyu_jobs (id, task, queue, args, state, enqueued_at, scheduled_at) "
                + "VALUES ('" + badState + "', 't', 'bad', '{}', 'EXPLODED', now(), now())");
        assertThat(broker.queuesList()).isNotEmpty();
        List<Job> got = fetch("bad", 10);
        assertThat(got).extracting(Job::id).containsExactly(good.id());
        for (String id : List.of(badErrors, badState)) {
            Job j = broker.jobGet(id).orElseThrow();
            assertThat(j.state()).isEqualTo(JobState.FAILED);
            assertThat(j.lastError().type()).isEqualTo(JobError.CORRUPT);
        }
        assertThat(broker.jobGet(badErrors).orElseThrow().lastError().message()).contains("not json [");
        assertThat(broker.jobsList(JobQuery.all(10))).hasSize(3);
        broker.leasesRescueExpired(10);
        broker.jobsPromoteDue(10);
        broker.jobsPrune(PruneRequest.defaults());
    }

    @Test
    void workersKvAndLocks() {
        var w = new WorkerInfo("w1", "host", 42, List.of("a"), 4, 1, Instant.now(), null, 0.5, 1024, 10, 1, Map.of("k", "v"));
        broker.workerHeartbeat(w);
        assertThat(broker.workersList()).singleElement().satisfies(x -> {
            assertThat(x.host()).isEqualTo("host");
            assertThat(x.heartbeatAt()).isNotNull();
        });
        broker.workerRemove("w1");
        assertThat(broker.workersList()).isEmpty();

        broker.kvPut("sched/a", "1");
        broker.kvPut("sched/b", "2");
        broker.kvPut("other", "3");
        assertThat(broker.kvList("sched/")).containsExactly(Map.entry("sched/a", "1"), Map.entry("sched/b", "2"));
        broker.kvDelete("sched/a");
        assertThat(broker.kvGet("sched/a")).isEmpty();

        assertThat(broker.lockTry("leader", "me", Duration.ofSeconds(30))).isTrue();
        assertThat(broker.lockTry("leader", "you", Duration.ofSeconds(30))).isFalse();
        assertThat(broker.lockTry("leader", "me", Duration.ofSeconds(30))).isTrue();
        broker.lockRelease("leader", "me");
        assertThat(broker.lockTry("leader", "you", Duration.ofSeconds(30))).isTrue();
    }

    @Test
    void listingFiltersNewestFirst() {
        NewJob a = job("l1"), b = NewJob.builder(JobIds.next(), "other").queue("l2").args("{\"needle\":true}").build();
        enqueue(a);
        enqueue(b);
        assertThat(broker.jobsList(JobQuery.all(10))).extracting(Job::id).containsExactly(b.id(), a.id());
        assertThat(broker.jobsList(JobQuery.all(10).withQueue("l1"))).extracting(Job::id).containsExactly(a.id());
        assertThat(broker.jobsList(JobQuery.all(10).withTask("other"))).extracting(Job::id).containsExactly(b.id());
        assertThat(broker.jobsList(JobQuery.all(10).withText("NEEDLE"))).extracting(Job::id).containsExactly(b.id());
        assertThat(broker.jobsList(JobQuery.all(10).withState(JobState.RUNNING))).isEmpty();
        assertThat(broker.jobsList(JobQuery.all(1).withOffset(1))).extracting(Job::id).containsExactly(a.id());
    }
}
