package dev.kyu.broker.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kyu.job.Job;
import dev.kyu.job.JobError;
import dev.kyu.job.JobIds;
import dev.kyu.job.JobLinks;
import dev.kyu.job.JobState;
import dev.kyu.spi.Completion;
import dev.kyu.spi.EnqueueRequest;
import dev.kyu.spi.FetchRequest;
import dev.kyu.spi.NewJob;
import dev.kyu.spi.Outcome;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Links on PostgreSQL beyond the shared conformance groups: releases racing in concurrent transactions, the
 * NOTIFY a release sends, links inside the caller's transaction, a corrupt linked row, and a cancel that
 * ends a job together with the jobs it releases.
 */
class PostgresJobLinksTest {
    @RegisterExtension
    static final PostgresExtension pg = PostgresExtension.shared();

    private PostgresBroker broker;

    @BeforeEach
    void open() throws Exception {
        broker = pg.open(pg.baseUrl() + "?schema=" + pg.freshSchema() + "&poolSize=10");
    }

    @AfterEach
    void close() {
        broker.close();
        pg.dropSchema(broker.schema());
    }

    private static NewJob parent(String queue, String... dependents) {
        return NewJob.builder(JobIds.next(), "t")
                .queue(queue)
                .links(JobLinks.of(0, List.of(dependents), null))
                .build();
    }

    private static NewJob child(String id, String queue, int waitsFor) {
        return NewJob.builder(id, "t")
                .queue(queue)
                .links(JobLinks.of(waitsFor, List.of(), null))
                .build();
    }

    private List<Job> fetch(PostgresBroker b, String queue, int limit) throws InterruptedException {
        return b.jobsFetch(new FetchRequest("w", List.of(queue), limit, Duration.ofSeconds(60), Duration.ZERO));
    }

    private Job get(String id) {
        return broker.jobGet(id).orElseThrow();
    }

    @Test
    void parentsOfOneChildEndingAtOnceInManyTransactionsAllCount() throws Exception {
        int parents = 60, threads = 6;
        String all = JobIds.next(), allButOne = JobIds.next();
        var batch = new ArrayList<NewJob>();
        for (int i = 0; i < parents; i++) batch.add(parent("p", all, allButOne));
        batch.add(child(all, "c", parents));
        batch.add(child(allButOne, "c", parents + 1));
        broker.jobsEnqueue(EnqueueRequest.of(batch));

        List<Job> running = new ArrayList<>();
        while (running.size() < parents) running.addAll(fetch(broker, "p", parents - running.size()));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            var start = new CountDownLatch(1);
            var done = new ArrayList<Future<Integer>>();
            for (int t = 0; t < threads; t++) {
                List<Job> mine = new ArrayList<>();
                for (int i = t; i < parents; i += threads) mine.add(running.get(i));
                done.add(pool.submit(() -> {
                    start.await();
                    int applied = 0;
                    // one transaction per parent, successes and failures alike, all at the same time
                    for (Job j : mine) {
                        Outcome o = j.id().hashCode() % 3 == 0
                                ? new Outcome.Dead(JobError.reason(1, "x", "no", Instant.now()))
                                : new Outcome.Succeeded("null");
                        if (broker.jobsComplete(List.of(new Completion(j.lease(), o)))
                                .get(0)) applied++;
                    }
                    return applied;
                }));
            }
            start.countDown();
            int applied = 0;
            for (Future<Integer> f : done) applied += f.get(60, TimeUnit.SECONDS);
            assertThat(applied).isEqualTo(parents);
        } finally {
            pool.shutdownNow();
        }

        Job released = get(all);
        assertThat(released.state()).isEqualTo(JobState.QUEUED);
        assertThat(released.links().waitsFor()).isZero();
        Job waiting = get(allButOne);
        assertThat(waiting.state()).isEqualTo(JobState.BLOCKED);
        assertThat(waiting.links().waitsFor())
                .as("every parent counted once, none lost")
                .isEqualTo(1);
        for (Job p : running) assertThat(get(p.id()).links().dependents()).isEmpty();
    }

    @Test
    void batchesSharingChildrenInOppositeOrdersNeitherDeadlockNorLoseACount() throws Exception {
        // every parent releases both children; the batches complete them in opposite orders
        String a = JobIds.next(), b = JobIds.next();
        int parents = 40;
        var batch = new ArrayList<NewJob>();
        for (int i = 0; i < parents; i++) batch.add(parent("p", i % 2 == 0 ? a : b, i % 2 == 0 ? b : a));
        batch.add(child(a, "c", parents));
        batch.add(child(b, "c", parents));
        broker.jobsEnqueue(EnqueueRequest.of(batch));
        List<Job> running = new ArrayList<>();
        while (running.size() < parents) running.addAll(fetch(broker, "p", parents - running.size()));

        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            var start = new CountDownLatch(1);
            var done = new ArrayList<Future<?>>();
            for (int t = 0; t < 4; t++) {
                int from = t * parents / 4, to = (t + 1) * parents / 4;
                List<Job> mine = running.subList(from, to);
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < mine.size(); i += 2) {
                        var completions = new ArrayList<Completion>();
                        for (Job j : mine.subList(i, Math.min(mine.size(), i + 2)))
                            completions.add(new Completion(j.lease(), new Outcome.Succeeded("1")));
                        assertThat(broker.jobsComplete(completions)).containsOnly(true);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) f.get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertThat(broker.jobsGet(List.of(a, b))).allSatisfy(j -> {
            assertThat(j.state()).isEqualTo(JobState.QUEUED);
            assertThat(j.links().waitsFor()).isZero();
        });
    }

    @Test
    void aReleasedJobWakesAFetcherOfAnotherBroker() throws Exception {
        String c = JobIds.next();
        NewJob p = parent("p", c);
        broker.jobsEnqueue(EnqueueRequest.of(List.of(p, child(c, "released", 1))));
        Job running = fetch(broker, "p", 1).get(0);
        try (PostgresBroker worker = pg.open(pg.baseUrl() + "?schema=" + broker.schema() + "&poolSize=2")) {
            CompletableFuture<List<Job>> waiting = CompletableFuture.supplyAsync(() -> {
                try {
                    return worker.jobsFetch(new FetchRequest(
                            "w2", List.of("released"), 1, Duration.ofSeconds(30), Duration.ofSeconds(60)));
                } catch (InterruptedException e) {
                    return List.of();
                }
            });
            await().atMost(Duration.ofSeconds(10)).until(worker::listening);
            assertThat(waiting).isNotDone();
            broker.jobsComplete(List.of(new Completion(running.lease(), new Outcome.Succeeded("null"))));
            // the fallback poll is 5 s; the release's NOTIFY gets there long before
            assertThat(waiting.get(4, TimeUnit.SECONDS)).extracting(Job::id).containsExactly(c);
        }
    }

    @Test
    void linksInsideTheCallersTransaction() throws Exception {
        String c = JobIds.next();
        NewJob p = parent("p", c);
        try (Connection app = pg.connect()) {
            app.setAutoCommit(false);
            broker.jobsEnqueue(new EnqueueRequest(List.of(p, child(c, "c", 1)), app));
            assertThat(broker.jobGet(c)).isEmpty();
            app.commit();
        }
        assertThat(get(c).state()).isEqualTo(JobState.BLOCKED);
        Job running = fetch(broker, "p", 1).get(0);
        try (Connection app = pg.connect()) {
            app.setAutoCommit(false);
            assertThat(broker.jobsComplete(
                            List.of(new Completion(running.lease(), new Outcome.Succeeded("null"))), app))
                    .containsExactly(true);
            assertThat(get(c).state())
                    .as("released at the caller's commit, not before")
                    .isEqualTo(JobState.BLOCKED);
            app.commit();
        }
        assertThat(get(c).state()).isEqualTo(JobState.QUEUED);
        assertThat(fetch(broker, "c", 5)).extracting(Job::id).containsExactly(c);
    }

    @Test
    void aLinkedRowThatCannotBeReadIsQuarantinedAndReleasesItsDependents() throws Exception {
        String c = JobIds.next();
        NewJob p = parent("p", c);
        broker.jobsEnqueue(EnqueueRequest.of(List.of(p, child(c, "c", 1))));
        try (Connection db = pg.connect();
                PreparedStatement ps = db.prepareStatement(
                        "UPDATE \"" + broker.schema() + "\".kyu_jobs SET waits_for = -3 WHERE id = ?::uuid")) {
            ps.setString(1, p.id());
            ps.executeUpdate();
        }
        Job quarantined = get(p.id());
        assertThat(quarantined.state()).isEqualTo(JobState.FAILED);
        assertThat(quarantined.lastError().type()).isEqualTo(JobError.CORRUPT);
        assertThat(quarantined.lastError().message()).contains("waits_for -3 is negative");
        assertThat(get(c).state()).isEqualTo(JobState.QUEUED);
    }

    @Test
    void cancellingAParentAndItsBlockedChildInOneCallCancelsBoth() {
        String b = JobIds.next(), c = JobIds.next();
        NewJob a = parent("p", b);
        // a releases b, b releases c, c releases nothing: the release must leave alone every row the cancel writes
        broker.jobsEnqueue(EnqueueRequest.of(List.of(
                a,
                NewJob.builder(b, "t")
                        .queue("c")
                        .links(JobLinks.of(1, List.of(c), null))
                        .build(),
                child(c, "c", 1))));
        broker.jobsCancel(List.of(c, a.id(), b));
        assertThat(broker.jobsGet(List.of(a.id(), b, c)))
                .extracting(Job::state)
                .containsExactly(JobState.CANCELLED, JobState.CANCELLED, JobState.CANCELLED);
    }
}
