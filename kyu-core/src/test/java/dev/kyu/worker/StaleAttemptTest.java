package dev.kyu.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kyu.Kyu;
import dev.kyu.ManualClock;
import dev.kyu.job.Job;
import dev.kyu.job.JobOptions;
import dev.kyu.job.JobState;
import dev.kyu.maintenance.MaintenanceOptions;
import dev.kyu.task.Task;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A worker that stalls longer than its lease (a frozen VM, a long pause) finds its running job rescued and
 * leased to it again. The older attempt must stop, and the new one must be the one the worker keeps and
 * reports: before, the new attempt replaced the old one's entry, the old one ran on unheeded, and its refused
 * outcome then removed the new attempt's entry, so the new attempt was no longer heartbeated and was rescued
 * in turn until the job failed as "worker lost".
 */
class StaleAttemptTest {
    record Nothing() {}

    @Test
    @SuppressWarnings("try") // the worker is a scope guard: it runs for the try block and stops at its end
    void aJobLeasedAgainToTheSameWorkerStopsItsOlderAttemptAndEndsOnTheNewOne() throws Exception {
        var clock = new ManualClock("2026-01-01T00:00:00Z");
        var firstStarted = new CountDownLatch(1);
        var firstStopped = new CountDownLatch(1);
        var task = Task.of("stall.test", Nothing.class, (args, ctx) -> {
            if (ctx.attempt() == 1) {
                firstStarted.countDown();
                try {
                    Thread.sleep(Duration.ofMinutes(10));
                } catch (InterruptedException e) {
                    firstStopped.countDown();
                    throw e;
                }
            }
            return "attempt " + ctx.attempt();
        });
        try (Kyu kyu = Kyu.builder()
                        .broker("memory:")
                        .clock(clock)
                        .maintenance(MaintenanceOptions.DEFAULTS
                                .withRescueInterval(Duration.ofMillis(50))
                                .withPromoteInterval(Duration.ofMillis(50)))
                        .build()
                        .register(task);
                // Lease and heartbeats far apart in time: no heartbeat reaches the broker while the test runs,
                // as none would during a stall.
                Worker worker = kyu.worker(WorkerOptions.builder()
                                .queues("q")
                                .concurrency(2)
                                .leaseDuration(Duration.ofHours(2))
                                .heartbeatInterval(Duration.ofHours(1))
                                .fetchWait(Duration.ofMillis(50))
                                .build())
                        .start()) {
            String id = kyu.enqueue(
                            task,
                            new Nothing(),
                            JobOptions.builder().queue("q").maxAttempts(3).build())
                    .id();
            assertThat(firstStarted.await(10, TimeUnit.SECONDS)).isTrue();

            clock.advance(
                    Duration.ofHours(3)); // the lease lapses; maintenance rescues the job, the worker fetches it again

            assertThat(firstStopped.await(10, TimeUnit.SECONDS))
                    .as("the older attempt is stopped")
                    .isTrue();
            Job done = kyu.handle(id).awaitJob(Duration.ofSeconds(10));
            assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
            assertThat(done.attempt()).isEqualTo(2);
            assertThat(done.result()).isEqualTo("\"attempt 2\"");
        }
    }
}
