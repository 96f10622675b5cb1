package dev.kyu.broker.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kyu.ManualClock;
import dev.kyu.codec.JsonCodec;
import dev.kyu.job.Job;
import dev.kyu.job.JobIds;
import dev.kyu.spi.Completion;
import dev.kyu.spi.FetchRequest;
import dev.kyu.spi.NewJob;
import dev.kyu.spi.Outcome;
import dev.kyu.task.FencedUpdate;
import dev.kyu.task.NonRetryableException;
import dev.kyu.task.Task;
import dev.kyu.task.TaskRegistry;
import dev.kyu.worker.JobExecutor;
import dev.kyu.worker.StopReason;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fencing-token guard of docs/tasks.md, end to end: a job's attempt outlives its lease (a long GC pause,
 * a frozen VM), the job is rescued and run again, and the zombie attempt's late write to the user's own
 * database (a second SQLite file here) is refused by {@link FencedUpdate}, while the Kyu broker refuses its
 * outcome.
 */
class FencedWriteTest {
    record Credit(String account, long balance) {}

    private final ManualClock clock = new ManualClock();
    private SqliteBroker broker;
    private Connection userDb;
    private JobExecutor executor;

    @BeforeEach
    void open() throws Exception {
        broker = SqliteTesting.open(SqliteConformanceTest.freshFile(), clock);
        userDb = SqliteTesting.raw(SqliteConformanceTest.freshFile());
        userDb.createStatement()
                .execute("CREATE TABLE accounts (id TEXT PRIMARY KEY, balance INTEGER NOT NULL, fence INTEGER)");
        userDb.createStatement().execute("INSERT INTO accounts VALUES ('acc-1', 0, 0)");
        var tasks = new TaskRegistry().register(Task.of("accounts.set", Credit.class, (c, ctx) -> {
            boolean applied = FencedUpdate.of("accounts", "id", c.account())
                    .set("balance", c.balance())
                    .apply(userDb, ctx.fencingToken());
            if (!applied)
                throw new NonRetryableException(
                        "a newer attempt of job " + ctx.jobId() + " already wrote " + c.account());
            return ctx.fencingToken();
        }));
        executor = new JobExecutor(tasks, JsonCodec.shared(), List.of(), clock);
    }

    @AfterEach
    void close() throws Exception {
        userDb.close();
        broker.close();
    }

    private Outcome run(Job job) {
        return executor.execute(job, () -> StopReason.NONE, broker::now, Duration.ZERO, Duration.ofSeconds(1));
    }

    private long stored(String column) throws Exception {
        try (ResultSet rs =
                userDb.createStatement().executeQuery("SELECT " + column + " FROM accounts WHERE id = 'acc-1'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void aRescuedZombieAttemptsLateWriteIsRefusedByTheGuard() throws Exception {
        SqliteTesting.enqueue(
                broker,
                NewJob.builder(JobIds.next(), "accounts.set")
                        .queue("q")
                        .maxAttempts(3)
                        .args("{\"account\": \"acc-1\", \"balance\": 100}")
                        .build());
        Job zombie = broker.jobsFetch(
                        new FetchRequest("worker-1", List.of("q"), 1, Duration.ofSeconds(5), Duration.ZERO))
                .get(0);
        clock.advance(Duration.ofSeconds(6)); // worker-1 stalls past its lease
        assertThat(broker.leasesRescueExpired(10).requeued()).containsExactly(zombie.id());
        Job current = broker.jobsFetch(
                        new FetchRequest("worker-2", List.of("q"), 1, Duration.ofMinutes(1), Duration.ZERO))
                .get(0);
        assertThat(current.fence()).isGreaterThan(zombie.fence());

        Outcome fresh = run(current);
        assertThat(fresh).isEqualTo(new Outcome.Succeeded(Long.toString(current.fence())));
        assertThat(stored("fence")).isEqualTo(current.fence());

        userDb.createStatement()
                .execute("UPDATE accounts SET balance = 250 WHERE id = 'acc-1'"); // later business, same token
        Outcome late = run(zombie); // worker-1 wakes up and finishes its attempt
        assertThat(late).isInstanceOfSatisfying(Outcome.Dead.class, d -> {
            assertThat(d.error().type()).isEqualTo(NonRetryableException.class.getName());
            assertThat(d.error().message()).contains("a newer attempt");
        });
        assertThat(stored("balance")).isEqualTo(250);
        assertThat(stored("fence")).isEqualTo(current.fence());
        // and Kyu's own fencing refuses the zombie's outcome
        assertThat(broker.jobsComplete(List.of(new Completion(zombie.lease(), late))))
                .containsExactly(false);
        assertThat(broker.jobsComplete(List.of(new Completion(current.lease(), fresh))))
                .containsExactly(true);
    }

    @Test
    void theSameTokenMayWriteAgainAndAHigherOneAlways() throws Exception {
        assertThat(FencedUpdate.of("accounts", "id", "acc-1").set("balance", 1).apply(userDb, 3))
                .isTrue();
        assertThat(FencedUpdate.of("accounts", "id", "acc-1").set("balance", 2).apply(userDb, 3))
                .isTrue();
        assertThat(FencedUpdate.of("accounts", "id", "acc-1").set("balance", 3).apply(userDb, 2))
                .isFalse();
        assertThat(FencedUpdate.of("accounts", "id", "acc-1").set("balance", 4).apply(userDb, 7))
                .isTrue();
        assertThat(stored("balance")).isEqualTo(4);
        assertThat(FencedUpdate.of("accounts", "id", "no-such")
                        .set("balance", 5)
                        .apply(userDb, 9))
                .isFalse();
        assertThat(FencedUpdate.of("accounts", "id", "acc-1").set("balance", 1).sql())
                .isEqualTo("UPDATE accounts SET balance = ?, fence = ? WHERE id = ? AND (fence IS NULL OR fence <= ?)");
    }

    @Test
    void namesThatAreNotPlainIdentifiersAreRefused() {
        assertThatThrownBy(() -> FencedUpdate.of("accounts; DROP TABLE accounts", "id", "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a plain SQL identifier");
        assertThatThrownBy(() -> FencedUpdate.of("accounts", "id", "x").set("balance = 0 --", 1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
