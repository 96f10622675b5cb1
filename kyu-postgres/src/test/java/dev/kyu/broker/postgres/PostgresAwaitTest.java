package dev.kyu.broker.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kyu.job.Job;
import dev.kyu.job.JobIds;
import dev.kyu.job.JobState;
import dev.kyu.spi.Completion;
import dev.kyu.spi.EnqueueRequest;
import dev.kyu.spi.FetchRequest;
import dev.kyu.spi.NewJob;
import dev.kyu.spi.Outcome;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * jobAwait on PostgreSQL: the awaiting broker marks the row, and only marked rows announce their end, so
 * a job nobody awaits sends no NOTIFY. Two brokers on one schema stand in for two processes.
 */
class PostgresAwaitTest {
    @RegisterExtension
    static final PostgresExtension pg = PostgresExtension.shared();

    private PostgresBroker waiter;
    private PostgresBroker worker;
    private String schema;

    @BeforeEach
    void open() throws Exception {
        schema = pg.freshSchema();
        // a poll far beyond the test's bounds: only the announcement can end the await in time
        waiter = pg.open(pg.baseUrl() + "?schema=" + schema + "&poolSize=2&pollInterval=10m");
        worker = pg.open(pg.baseUrl() + "?schema=" + schema + "&poolSize=2");
    }

    @AfterEach
    void close() {
        waiter.close();
        worker.close();
        pg.dropSchema(schema);
    }

    @Test
    void onlyTheEndOfAnAwaitedJobIsAnnouncedAndItEndsTheAwaitInAnotherProcess() throws Exception {
        String ignored = enqueue();
        String awaitedId = enqueue();
        try (Connection listening = pg.connect()) {
            try (Statement st = listening.createStatement()) {
                st.execute("LISTEN \"kyu_" + schema + "\"");
            }
            var answer = new AtomicReference<Optional<Job>>();
            Thread awaiting = Thread.ofPlatform().start(() -> {
                try {
                    answer.set(waiter.jobAwait(awaitedId, Duration.ofMinutes(2)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> awaited(awaitedId));
            assertThat(awaited(ignored)).isFalse();

            complete(ignored); // ends first, so its NOTIFY, were there one, would come first
            complete(awaitedId);
            awaiting.join(Duration.ofSeconds(60));
            assertThat(awaiting.isAlive()).isFalse();
            assertThat(answer.get()).get().extracting(Job::state).isEqualTo(JobState.SUCCEEDED);

            List<String> ends = new ArrayList<>();
            PGConnection pg = listening.unwrap(PGConnection.class);
            while (!ends.contains("ended " + awaitedId)) {
                PGNotification[] notes = pg.getNotifications(30_000);
                assertThat(notes).as("the awaited job's end is announced").isNotEmpty();
                for (PGNotification n : notes) if (n.getParameter().startsWith("ended ")) ends.add(n.getParameter());
            }
            assertThat(ends).containsExactly("ended " + awaitedId);
        }
    }

    @Test
    void deletingAnAwaitedJobEndsTheAwaitWithNothing() throws Exception {
        String id = enqueue();
        var answer = new AtomicReference<Optional<Job>>();
        Thread awaiting = Thread.ofPlatform().start(() -> {
            try {
                answer.set(waiter.jobAwait(id, Duration.ofMinutes(2)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> awaited(id));
        assertThat(worker.jobsDelete(List.of(id))).isEqualTo(1);
        awaiting.join(Duration.ofSeconds(60));
        assertThat(awaiting.isAlive()).isFalse();
        assertThat(answer.get()).isEmpty();
    }

    private String enqueue() {
        String id = JobIds.next();
        worker.jobsEnqueue(EnqueueRequest.of(
                List.of(NewJob.builder(id, "t").queue("q").args("{}").build())));
        return id;
    }

    /** Fetches the one QUEUED job of queue q (the given one) and completes it. */
    private void complete(String id) throws InterruptedException {
        List<Job> got = worker.jobsFetch(new FetchRequest("w", List.of("q"), 1, Duration.ofMinutes(1), Duration.ZERO));
        assertThat(got).extracting(Job::id).containsExactly(id);
        assertThat(worker.jobsComplete(List.of(new Completion(got.get(0).lease(), new Outcome.Succeeded("null")))))
                .containsExactly(true);
    }

    private boolean awaited(String id) throws Exception {
        try (Connection c = pg.connect();
                PreparedStatement ps =
                        c.prepareStatement("SELECT awaited FROM \"" + schema + "\".kyu_jobs WHERE id = ?::uuid")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }
}
