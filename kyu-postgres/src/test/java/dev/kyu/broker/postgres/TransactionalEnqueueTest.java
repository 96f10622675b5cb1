package dev.kyu.broker.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kyu.job.Job;
import dev.kyu.job.JobIds;
import dev.kyu.job.JobState;
import dev.kyu.spi.Capability;
import dev.kyu.spi.Completion;
import dev.kyu.spi.EnqueueRequest;
import dev.kyu.spi.FetchRequest;
import dev.kyu.spi.NewJob;
import dev.kyu.spi.Outcome;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The job is written in the same transaction as the application's own row: invisible before commit,
 * fetched promptly after it, never fetched after a rollback; and a worker can complete its job in its
 * own transaction.
 */
class TransactionalEnqueueTest {
    @RegisterExtension
    static final PostgresExtension pg = PostgresExtension.shared();

    private PostgresBroker broker;

    @BeforeEach
    void open() throws Exception {
        broker = pg.openFresh();
        pg.execute("CREATE TABLE \"" + broker.schema() + "\".orders (id text PRIMARY KEY, status text)");
    }

    @AfterEach
    void close() {
        broker.close();
        pg.dropSchema(broker.schema());
    }

    private List<Job> fetchNow() throws InterruptedException {
        return broker.jobsFetch(new FetchRequest("w", List.of("orders"), 10, Duration.ofSeconds(30), Duration.ZERO));
    }

    private void insertOrder(Connection c, String id) throws Exception {
        try (PreparedStatement ps =
                c.prepareStatement("INSERT INTO \"" + broker.schema() + "\".orders (id, status) VALUES (?, 'new')")) {
            ps.setString(1, id);
            ps.executeUpdate();
        }
    }

    @Test
    void declaresTheCapability() {
        assertThat(broker.capabilities())
                .contains(
                        Capability.TRANSACTIONAL_ENQUEUE,
                        Capability.TRANSACTIONAL_COMPLETE,
                        Capability.SHARED_ACROSS_PROCESSES);
    }

    @Test
    void invisibleBeforeCommitFetchedPromptlyAfter() throws Exception {
        NewJob job = NewJob.builder(JobIds.next(), "ship")
                .queue("orders")
                .args("{\"order\":\"o1\"}")
                .build();
        try (Connection app = pg.connect()) {
            app.setAutoCommit(false);
            insertOrder(app, "o1");
            broker.jobsEnqueue(new EnqueueRequest(List.of(job), app));

            assertThat(fetchNow()).isEmpty();
            assertThat(broker.jobGet(job.id())).isEmpty();

            // a worker already waiting is woken by the NOTIFY that the commit releases
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(broker::listening);
            CompletableFuture<List<Job>> waiting = CompletableFuture.supplyAsync(() -> {
                try {
                    return broker.jobsFetch(new FetchRequest(
                            "w", List.of("orders"), 1, Duration.ofSeconds(30), Duration.ofSeconds(60)));
                } catch (InterruptedException e) {
                    return List.of();
                }
            });
            assertThat(waiting).isNotDone();
            app.commit();
            assertThat(waiting.get(4, TimeUnit.SECONDS)).extracting(Job::id).containsExactly(job.id());
        }
    }

    public record Ship(String orderId) {}

    @Test
    void clientEnqueueInTheCallersTransactionRunsOnlyAfterCommit() throws Exception {
        var ship = dev.kyu.task.Task.of("shop.ship", Ship.class, String.class, (a, ctx) -> "shipped " + a.orderId());
        try (dev.kyu.Kyu kyu = dev.kyu.Kyu.builder().broker(broker).build()) {
            kyu.register(ship);
            dev.kyu.worker.Worker worker = kyu.worker(dev.kyu.worker.WorkerOptions.builder()
                            .queues("default")
                            .fetchWait(Duration.ofSeconds(2))
                            .build())
                    .start();
            try (Connection app = pg.connect()) {
                app.setAutoCommit(false);
                insertOrder(app, "o9");
                var rolledBack = kyu.enqueue(app, ship, new Ship("o9"), dev.kyu.job.JobOptions.NONE);
                app.rollback();
                insertOrder(app, "o9");
                var handle = kyu.enqueue(app, ship, new Ship("o9"), dev.kyu.job.JobOptions.NONE);
                assertThat(broker.jobGet(handle.id())).isEmpty();
                app.commit();
                assertThat(handle.await(Duration.ofSeconds(20))).isEqualTo("shipped o9");
                assertThat(broker.jobGet(rolledBack.id())).isEmpty();
            } finally {
                worker.stop(Duration.ofSeconds(2));
            }
        }
    }

    @Test
    void neverFetchedAfterRollback() throws Exception {
        NewJob job = NewJob.builder(JobIds.next(), "ship").queue("orders").build();
        try (Connection app = pg.connect()) {
            app.setAutoCommit(false);
            insertOrder(app, "o2");
            broker.jobsEnqueue(new EnqueueRequest(List.of(job), app));
            app.rollback();
        }
        assertThat(fetchNow()).isEmpty();
        assertThat(broker.jobGet(job.id())).isEmpty();
        assertThat(broker.queueCounts("orders").values()).allMatch(n -> n == 0);
    }

    @Test
    void workerCompletesItsJobInsideItsOwnTransaction() throws Exception {
        NewJob job = NewJob.builder(JobIds.next(), "ship").queue("orders").build();
        broker.jobsEnqueue(EnqueueRequest.of(List.of(job)));
        Job running = fetchNow().get(0);
        try (Connection app = pg.connect()) {
            app.setAutoCommit(false);
            insertOrder(app, "o3");
            assertThat(broker.jobsComplete(
                            List.of(new Completion(running.lease(), new Outcome.Succeeded("\"shipped\""))), app))
                    .containsExactly(true);
            assertThat(broker.jobGet(job.id()).orElseThrow().state()).isEqualTo(JobState.RUNNING);
            app.rollback();
        }
        assertThat(broker.jobGet(job.id()).orElseThrow().state()).isEqualTo(JobState.RUNNING);
        try (Connection app = pg.connect()) {
            app.setAutoCommit(false);
            insertOrder(app, "o3");
            broker.jobsComplete(List.of(new Completion(running.lease(), new Outcome.Succeeded("\"shipped\""))), app);
            app.commit();
        }
        assertThat(broker.jobGet(job.id()).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
        try (Connection c = pg.connect();
                ResultSet rs =
                        c.createStatement().executeQuery("SELECT count(*) FROM \"" + broker.schema() + "\".orders")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(1);
        }
    }

    @Test
    void anAutoCommitConnectionCompletesAMixedBatchAsOneTransactionAndStaysInAutoCommit() throws Exception {
        NewJob a = NewJob.builder(JobIds.next(), "ship").queue("orders").build();
        NewJob b = NewJob.builder(JobIds.next(), "ship").queue("orders").build();
        broker.jobsEnqueue(EnqueueRequest.of(List.of(a, b)));
        List<Job> running = fetchNow();
        assertThat(running).hasSize(2);
        var err = dev.kyu.job.JobError.reason(1, "x.Y", "declined", broker.now());
        try (Connection app = pg.connect()) {
            assertThat(broker.jobsComplete(
                            List.of(
                                    new Completion(running.get(0).lease(), new Outcome.Succeeded("1")),
                                    new Completion(running.get(1).lease(), new Outcome.Dead(err))),
                            app))
                    .containsExactly(true, true);
            assertThat(app.getAutoCommit()).isTrue();
        }
        assertThat(broker.jobGet(running.get(0).id()).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(broker.jobGet(running.get(1).id()).orElseThrow().state()).isEqualTo(JobState.FAILED);
    }
}
