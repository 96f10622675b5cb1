package dev.kyu.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kyu.Kyu;
import dev.kyu.ManualClock;
import dev.kyu.job.Job;
import dev.kyu.job.JobOptions;
import dev.kyu.job.JobState;
import dev.kyu.maintenance.Maintenance;
import dev.kyu.maintenance.MaintenanceOptions;
import dev.kyu.spi.JobQuery;
import dev.kyu.task.Task;
import dev.kyu.worker.Worker;
import dev.kyu.worker.WorkerOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A low-priority job under a steady stream of high-priority work: one worker running one job at a time, and
 * each high job enqueueing the next, so two high jobs are always waiting. Without aging the low job never
 * runs; with aging it rises one step per minute it waits and runs as soon as it reaches the high jobs'
 * priority, the oldest job there. Each job holds the worker until the test lets it go, after one aging step,
 * so the order of the runs is fixed and time is only the manual clock's.
 */
class StarvationTest {
    record Nothing() {}

    private static final String Q = "work";
    private static final int HIGH = 5, LOW = 0;
    private static final Duration STEP = Duration.ofMinutes(1);

    private final ManualClock clock = new ManualClock("2026-01-01T00:00:00Z");
    private final List<String> ran = new CopyOnWriteArrayList<>();
    private final Semaphore letGo = new Semaphore(0);
    private volatile boolean producing = true;
    private Kyu kyu;
    private Task<Nothing, String> high;
    private Worker worker;

    @BeforeEach
    void open() {
        kyu = Kyu.builder().broker("memory:").clock(clock).build();
        high = Task.of("stream.high", Nothing.class, (args, ctx) -> {
            ran.add("high");
            if (producing) {
                kyu.enqueue(
                        high,
                        new Nothing(),
                        JobOptions.builder().queue(Q).priority(HIGH).build());
                letGo.acquire();
            }
            return "done";
        });
        var low = Task.of("stream.low", Nothing.class, (args, ctx) -> {
            ran.add("low");
            if (producing) letGo.acquire();
            return "done";
        });
        kyu.register(high, low);
    }

    @AfterEach
    void close() {
        producing = false;
        letGo.release(1_000);
        if (worker != null) worker.close();
        kyu.close();
    }

    @Test
    void withoutAgingTheLowJobStarves() {
        String lowId = startStream();
        var maintenance = new Maintenance(kyu.broker(), MaintenanceOptions.DEFAULTS);

        for (int step = 1; step <= 20; step++) {
            runAndStep(step, maintenance);
        }

        soon().until(() -> ran.size() == 21);
        assertThat(ran).containsOnly("high");
        Job low = kyu.handle(lowId).job();
        assertThat(low.state()).isEqualTo(JobState.QUEUED);
        assertThat(low.priority()).isEqualTo(LOW);
        assertThat(kyu.broker().jobsList(JobQuery.all(100).withQueue(Q).withState(JobState.QUEUED)))
                .filteredOn(j -> j.priority() == HIGH)
                .hasSize(2);
    }

    @Test
    void withAgingTheLowJobRunsOnceItReachesTheHighPriority() {
        kyu.aging().set(Q, STEP, HIGH);
        String lowId = startStream();
        var maintenance = new Maintenance(kyu.broker(), MaintenanceOptions.DEFAULTS);

        int steps = HIGH - LOW; // one rise per step, from LOW up to the ceiling
        for (int step = 1; step <= steps; step++) {
            runAndStep(step, maintenance);
        }

        soon().until(() -> ran.size() == steps + 1);
        assertThat(ran)
                .as("five high jobs, then the low job, now the oldest at priority 5")
                .containsExactly("high", "high", "high", "high", "high", "low");
        Job low = kyu.handle(lowId).job();
        assertThat(low.state()).isEqualTo(JobState.RUNNING);
        assertThat(low.priority()).isEqualTo(HIGH);
    }

    private static org.awaitility.core.ConditionFactory soon() {
        return await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5));
    }

    /** Enqueues the low job and two high ones, lets a second pass, and starts a worker running one job at a time. */
    private String startStream() {
        String lowId = kyu.enqueue(
                        "stream.low",
                        new Nothing(),
                        JobOptions.builder().queue(Q).priority(LOW).build())
                .id();
        for (int i = 0; i < 2; i++)
            kyu.enqueue(
                    high,
                    new Nothing(),
                    JobOptions.builder().queue(Q).priority(HIGH).build());
        clock.advance(Duration.ofSeconds(1));
        // Maintenance off: this test takes the aging steps itself. A lease far longer than the test's manual time.
        worker = kyu.worker(WorkerOptions.builder()
                        .queues(Q)
                        .concurrency(1)
                        .prefetch(0)
                        .maintenance(false)
                        .leaseDuration(Duration.ofHours(2))
                        .fetchWait(Duration.ofMillis(50))
                        .build())
                .start();
        return lowId;
    }

    /** Waits for the step-th job to be running, takes one aging step, and lets that job finish. */
    private void runAndStep(int step, Maintenance maintenance) {
        soon().until(() -> ran.size() == step);
        clock.advance(STEP);
        maintenance.age();
        letGo.release();
    }
}
