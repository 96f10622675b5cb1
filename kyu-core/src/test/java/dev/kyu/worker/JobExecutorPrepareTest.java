package dev.kyu.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kyu.codec.JsonCodec;
import dev.kyu.job.Job;
import dev.kyu.job.JobError;
import dev.kyu.job.JobIds;
import dev.kyu.job.JobState;
import dev.kyu.spi.Outcome;
import dev.kyu.task.Task;
import dev.kyu.task.TaskRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A job that cannot be prepared for its task ends as a dead letter with the reason: never a hand-back, never a throw. */
class JobExecutorPrepareTest {
    record Order(String id) {}

    private final TaskRegistry tasks = TaskRegistry.withBuiltins();
    private final JobExecutor executor = new JobExecutor(tasks, JsonCodec.shared(), List.of(), Clock.systemUTC());

    JobExecutorPrepareTest() {
        tasks.register(Task.of("shop.order", Order.class, (o, ctx) -> o.id()));
    }

    private Outcome run(Job job) {
        return executor.execute(job, () -> StopReason.NONE, Instant::now, Duration.ofMinutes(5), Duration.ofSeconds(1));
    }

    private static Job.Builder job(String task) {
        Instant now = Instant.now();
        return Job.builder()
                .id(JobIds.next())
                .task(task)
                .queue("q")
                .state(JobState.RUNNING)
                .attempt(1)
                .maxAttempts(3)
                .enqueuedAt(now)
                .scheduledAt(now)
                .workerId("w")
                .leaseExpiresAt(now.plusSeconds(30));
    }

    @Test
    void missingArgsAreADeadLetterWithTheReason() {
        Outcome o = run(job("shop.order").args(null).build());
        assertThat(o).isInstanceOfSatisfying(Outcome.Dead.class, d -> {
            assertThat(d.error().type()).isEqualTo(JobError.BAD_PAYLOAD);
            assertThat(d.error().message()).contains("do not bind to Order").contains("no args");
        });
    }

    @Test
    void garbageArgsAreADeadLetterWithTheReason() {
        Outcome o = run(job("shop.order").args("\u0001{{{").build());
        assertThat(o)
                .isInstanceOfSatisfying(
                        Outcome.Dead.class, d -> assertThat(d.error().type()).isEqualTo(JobError.BAD_PAYLOAD));
    }

    @Test
    void anUnknownTaskWhoseEnqueueTimeIsInTheFutureFailsAtOnceInsteadOfWaitingForEver() {
        Outcome o = run(job("nobody.knows").args("{}").enqueuedAt(Instant.MAX).build());
        assertThat(o).isInstanceOfSatisfying(Outcome.Dead.class, d -> {
            assertThat(d.error().type()).isEqualTo(JobError.UNKNOWN_TASK);
            assertThat(d.error().message()).contains("no grace period");
        });
    }

    @Test
    void anUnknownTaskWithinItsGraceIsPutBack() {
        assertThat(run(job("nobody.knows").args("{}").build())).isEqualTo(new Outcome.Released(Duration.ofSeconds(1)));
    }
}
