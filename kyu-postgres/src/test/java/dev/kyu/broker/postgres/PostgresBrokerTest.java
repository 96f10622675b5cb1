package dev.kyu.broker.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kyu.KyuException;
import dev.kyu.job.Job;
import dev.kyu.job.JobError;
import dev.kyu.job.JobIds;
import dev.kyu.job.JobState;
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
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the PostgreSQL engine does beyond the conformance suites, against a real server, one fresh schema per
 * test: the one-row INSERT, the due check of a claiming fetch, LISTEN/NOTIFY and polling, row locks, and
 * rows in states this version does not know.
 */
class PostgresBrokerTest {
    @RegisterExtension
    static final PostgresExtension pg = PostgresExtension.shared();

    private PostgresBroker broker;

    @BeforeEach
    void open() throws Exception {
        broker = pg.openFresh();
    }

    @AfterEach
    void close() {
        broker.close();
        pg.dropSchema(broker.schema());
    }

    static NewJob job(String queue) {
        return NewJob.builder(JobIds.next(), "t")
                .queue(queue)
                .args("{\"n\":1}")
                .maxAttempts(3)
                .build();
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
        NewJob j = NewJob.builder(JobIds.next(), "t")
                .queue("q")
                .args("{\"n\":1}")
                .priority(7)
                .maxAttempts(4)
                .timeout(Duration.ofSeconds(5))
                .backoff("fixed:1s")
                .meta(Map.of("trace", "\"abc\" \u2603"))
                .build();
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
        String delayed = enqueue(NewJob.builder(JobIds.next(), "t")
                        .queue("busy")
                        .delay(Duration.ofMillis(200))
                        .build())
                .get(0)
                .id();
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
    void idleFetcherIsWokenByNotifyFromAnotherBroker() throws Exception {
        try (PostgresBroker producer = pg.open(pg.baseUrl() + "?schema=" + broker.schema() + "&poolSize=2")) {
            CompletableFuture<List<Job>> waiting = CompletableFuture.supplyAsync(() -> {
                try {
                    return broker.jobsFetch(
                            new FetchRequest("w", List.of("n"), 1, Duration.ofSeconds(30), Duration.ofSeconds(60)));
                } catch (InterruptedException e) {
                    return List.of();
                }
            });
            await().atMost(Duration.ofSeconds(10)).until(broker::listening); // LISTEN starts with the first fetch
            NewJob j = job("n");
            producer.jobsEnqueue(EnqueueRequest.of(List.of(j)));
            assertThat(producer.listening())
                    .as("a broker that never fetched holds no LISTEN connection")
                    .isFalse();
            // the fallback poll is 5 s; the NOTIFY gets there long before
            List<Job> got = waiting.get(4, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(got).extracting(Job::id).containsExactly(j.id());
        }
    }

    @Test
    void withoutListenAnIdleFetcherFindsWorkByPolling() throws Exception {
        try (PostgresBroker polling =
                pg.open(pg.baseUrl() + "?schema=" + broker.schema() + "&listen=false&pollInterval=100ms")) {
            assertThat(polling.listening()).isFalse();
            CompletableFuture<List<Job>> waiting = CompletableFuture.supplyAsync(() -> {
                try {
                    return polling.jobsFetch(
                            new FetchRequest("w", List.of("poll"), 1, Duration.ofSeconds(30), Duration.ofSeconds(60)));
                } catch (InterruptedException e) {
                    return List.of();
                }
            });
            NewJob j = job("poll");
            enqueue(j); // through the other broker: no in-process wake-up reaches the polling one
            assertThat(waiting.get(20, java.util.concurrent.TimeUnit.SECONDS))
                    .extracting(Job::id)
                    .containsExactly(j.id());
        }
    }

    @Test
    void aHeartbeatNeverWaitsForARowAnotherTransactionHolds() throws Exception {
        // A completion batch holds running jobs' rows while a heartbeat extends their leases: a heartbeat
        // that waited for those rows could deadlock with it.
        NewJob a = job("hb"), b = job("hb");
        enqueue(a, b);
        List<Job> running = fetch("hb", 2);
        Job held = running.get(0), free = running.get(1);
        try (var tx = pg.connect()) {
            tx.setAutoCommit(false);
            try (var st = tx.prepareStatement(
                    "SELECT id FROM \"" + broker.schema() + "\".kyu_jobs WHERE id = ?::uuid FOR UPDATE")) {
                st.setString(1, held.id());
                st.executeQuery().close();
            }
            Instant before = broker.jobGet(free.id()).orElseThrow().leaseExpiresAt();
            LeaseReport report = CompletableFuture.supplyAsync(() -> broker.leasesExtend(
                            new LeaseExtension("w1", List.of(held.lease(), free.lease()), Duration.ofMinutes(10))))
                    .get(10, java.util.concurrent.TimeUnit.SECONDS);
            // the locked job still counts as held; the other one's lease moved on
            assertThat(report.lost()).isEmpty();
            assertThat(broker.jobGet(free.id()).orElseThrow().leaseExpiresAt())
                    .isAfter(before.plus(Duration.ofMinutes(5)));
            tx.rollback();
        }
        // a lease that is no longer the caller's is still reported lost
        assertThat(broker.jobsComplete(List.of(new Completion(held.lease(), new Outcome.Succeeded("1")))))
                .containsExactly(true);
        assertThat(broker.leasesExtend(new LeaseExtension("w1", List.of(held.lease()), Duration.ofMinutes(10)))
                        .lost())
                .containsExactly(held.id());
    }

    @Test
    void aCompletionBatchLocksItsRowsInIdOrderAsAdminActionsDo() throws Exception {
        // Cancel, retry and delete lock their rows in id order. A completion batch that locked the same
        // running jobs in another order could deadlock with them.
        for (int i = 0; i < 5; i++) enqueue(job("ord"));
        List<Job> jobs = fetch("ord", 5).stream()
                .sorted(java.util.Comparator.comparing(Job::id))
                .toList();
        // one kind of outcome, one statement: the batch names the higher id first
        List<Job> pair = jobs.subList(0, 2);
        assertThat(completeWhileAnAdminLocks(
                        pair,
                        List.of(
                                new Completion(pair.get(1).lease(), new Outcome.Succeeded("1")),
                                new Completion(pair.get(0).lease(), new Outcome.Succeeded("1")))))
                .containsExactly(true, true);
        // a mixed batch runs a statement per kind: successes, then hand-backs, then failures
        List<Job> three = jobs.subList(2, 5);
        Job low = three.get(0), mid = three.get(1), high = three.get(2);
        var err = JobError.reason(1, "X", "boom", Instant.now());
        assertThat(completeWhileAnAdminLocks(
                        three,
                        List.of(
                                new Completion(high.lease(), new Outcome.Succeeded("1")),
                                new Completion(mid.lease(), new Outcome.Released(Duration.ZERO)),
                                new Completion(low.lease(), new Outcome.Dead(err)))))
                .containsExactly(true, true, true);
        assertThat(broker.jobGet(high.id()).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(broker.jobGet(mid.id()).orElseThrow().state()).isEqualTo(JobState.QUEUED);
        assertThat(broker.jobGet(low.id()).orElseThrow().state()).isEqualTo(JobState.FAILED);
    }

    @Test
    void everyKindOfOutcomeRefusesALeaseNamingAnotherQueueAndChangesNothing() throws Exception {
        // Successes and hand-backs fence in their UPDATE, failures on the row they locked: each must check the queue.
        for (int i = 0; i < 4; i++) enqueue(job("fq"));
        List<Job> jobs = fetch("fq", 4);
        var err = JobError.reason(1, "X", "boom", Instant.now());
        List<Outcome> kinds = List.of(
                new Outcome.Succeeded("1"),
                new Outcome.Released(Duration.ZERO),
                new Outcome.Retry(err, Duration.ZERO),
                new Outcome.Dead(err));
        var foreign = new java.util.ArrayList<Completion>();
        for (int i = 0; i < 4; i++) foreign.add(new Completion(elsewhere(jobs.get(i)), kinds.get(i)));
        // one kind per batch (each statement alone), then all kinds in one batch, then in the caller's transaction
        for (Completion c : foreign) assertThat(broker.jobsComplete(List.of(c))).containsExactly(false);
        assertThat(broker.jobsComplete(foreign)).containsExactly(false, false, false, false);
        try (var tx = pg.connect()) {
            tx.setAutoCommit(false);
            assertThat(broker.jobsComplete(foreign, tx)).containsExactly(false, false, false, false);
            tx.commit();
        }
        for (Job j : jobs) {
            Job stored = broker.jobGet(j.id()).orElseThrow();
            assertThat(stored.state()).isEqualTo(JobState.RUNNING);
            assertThat(stored.attempt()).isEqualTo(j.attempt());
            assertThat(stored.errors()).isEmpty();
        }
        // beside the right lease of the same job in one batch, only the right one is applied
        Job first = jobs.get(0);
        assertThat(broker.jobsComplete(List.of(
                        new Completion(elsewhere(first), new Outcome.Succeeded("2")),
                        new Completion(first.lease(), new Outcome.Succeeded("1")))))
                .containsExactly(false, true);
        assertThat(broker.jobGet(first.id()).orElseThrow().result()).isEqualTo("1");
    }

    private static dev.kyu.job.Lease elsewhere(Job j) {
        return new dev.kyu.job.Lease(j.id(), "not-" + j.queue(), j.workerId(), j.attempt());
    }

    /** Completes the batch while another transaction locks the same rows in id order, as admin actions do. */
    private List<Boolean> completeWhileAnAdminLocks(List<Job> inIdOrder, List<Completion> batch) throws Exception {
        try (var admin = pg.connect()) {
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
        try (var st = tx.prepareStatement(
                "SELECT id FROM \"" + broker.schema() + "\".kyu_jobs WHERE id = ?::uuid FOR UPDATE")) {
            st.setString(1, id);
            st.executeQuery().close();
        }
    }

    private boolean someoneWaitsForARowLock() throws Exception {
        try (var c = pg.connect();
                var st = c.prepareStatement(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE ?")) {
            st.setString(1, "%\"" + broker.schema() + "\".kyu_jobs%");
            try (var rs = st.executeQuery()) {
                rs.next();
                return rs.getInt(1) > 0;
            }
        }
    }

    @Test
    void delayedJobWaitsUntilDueAndWakesTheFetcher() throws Exception {
        NewJob j = NewJob.builder(JobIds.next(), "t")
                .queue("d")
                .delay(Duration.ofMillis(700))
                .build();
        enqueue(j);
        assertThat(broker.jobGet(j.id()).orElseThrow().state()).isEqualTo(JobState.SCHEDULED);
        assertThat(fetch("d", 1)).isEmpty();
        List<Job> got = broker.jobsFetch(
                new FetchRequest("w", List.of("d"), 1, Duration.ofSeconds(30), Duration.ofSeconds(20)));
        assertThat(got).extracting(Job::id).containsExactly(j.id());
    }

    @Test
    void corruptRowsAreQuarantinedNotThrown() throws Exception {
        NewJob good = job("bad");
        enqueue(good);
        String badErrors = JobIds.next();
        String badState = JobIds.next();
        pg.execute("INSERT INTO \"" + broker.schema()
                + "\".kyu_jobs (id, task, queue, args, state, enqueued_at, scheduled_at, errors) " + "VALUES ('"
                + badErrors + "', 't', 'bad', '{', 'QUEUED', now(), now(), 'not json [')");
        pg.execute("INSERT INTO \"" + broker.schema()
                + "\".kyu_jobs (id, task, queue, args, state, enqueued_at, scheduled_at) " + "VALUES ('" + badState
                + "', 't', 'bad', '{}', 'EXPLODED', now(), now())");
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
}
