package dev.kyu.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kyu.Kyu;
import dev.kyu.ManualClock;
import dev.kyu.job.JobOptions;
import dev.kyu.job.JobState;
import dev.kyu.task.Task;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Autoscaling: a backlog grows a worker's concurrency up to MAX at once; it shrinks to MIN only after the idle time. */
class AutoscalerTest {
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger most = new AtomicInteger();
    volatile CountDownLatch gate = new CountDownLatch(0);
    Kyu kyu;
    Worker worker;
    final ManualClock clock = new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));

    @BeforeEach
    void setUp() {
        kyu = Kyu.connect("memory:");
        // A task that notes how many of its jobs run at once, and holds until the test opens the gate.
        kyu.register(Task.of("probe", JsonNode.class, (args, ctx) -> {
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                gate.await();
            } finally {
                running.decrementAndGet();
            }
            return null;
        }));
        worker = kyu.worker(WorkerOptions.builder().concurrency(1).prefetch(0).build())
                .start();
    }

    @AfterEach
    void tearDown() {
        gate.countDown();
        worker.close();
        kyu.close();
    }

    void enqueue(int n) {
        kyu.enqueueJsonAll("probe", Collections.nCopies(n, "{}"), JobOptions.NONE);
    }

    long succeeded() {
        return kyu.broker().queueCounts("default").get(JobState.SUCCEEDED);
    }

    @Test
    void growsUnderABacklogAndShrinksWhenIdle() {
        var scaler = new Autoscaler(
                worker,
                kyu.broker(),
                new Autoscaler.Options(1, 8, Duration.ofSeconds(30), Duration.ofSeconds(1)),
                clock);
        gate = new CountDownLatch(1);
        enqueue(20);
        await().atMost(Duration.ofSeconds(10)).until(() -> running.get() == 1); // one slot: one job runs, the rest wait

        assertThat(scaler.adjust()).isEqualTo(8);
        assertThat(worker.status().concurrency()).isEqualTo(8);
        await().atMost(Duration.ofSeconds(10)).until(() -> running.get() == 8); // eight run at once now
        assertThat(worker.status().free()).isZero();
        gate.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> succeeded() == 20);
        assertThat(most.get()).isEqualTo(8);

        // idle, but not for long enough yet
        assertThat(scaler.adjust()).isEqualTo(8);
        clock.advance(Duration.ofSeconds(29));
        assertThat(scaler.adjust()).isEqualTo(8);
        clock.advance(Duration.ofSeconds(2));
        assertThat(scaler.adjust()).isEqualTo(1);
        assertThat(worker.status().concurrency()).isEqualTo(1);

        // shrunk: one at a time again
        most.set(0);
        gate = new CountDownLatch(1);
        enqueue(5);
        await().atMost(Duration.ofSeconds(10)).until(() -> running.get() == 1);
        gate.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> succeeded() == 25);
        assertThat(most.get()).isEqualTo(1);
    }

    @Test
    void aLullShorterThanTheIdleTimeDoesNotShrink() {
        var scaler = new Autoscaler(
                worker,
                kyu.broker(),
                new Autoscaler.Options(2, 6, Duration.ofSeconds(30), Duration.ofSeconds(1)),
                clock);
        scaler.start();
        try {
            assertThat(worker.status().concurrency()).isEqualTo(2);
            gate = new CountDownLatch(1);
            enqueue(10);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> worker.status().concurrency() == 6 && running.get() == 6);
            gate.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> succeeded() == 10);
            scaler.adjust();
            clock.advance(Duration.ofSeconds(20));
            assertThat(scaler.adjust()).isEqualTo(6);
            gate = new CountDownLatch(1);
            enqueue(6); // work again: the spare time starts over
            await().atMost(Duration.ofSeconds(10)).until(() -> running.get() == 6);
            assertThat(scaler.adjust()).isEqualTo(6);
            clock.advance(Duration.ofSeconds(20));
            assertThat(scaler.adjust()).isEqualTo(6);
            gate.countDown();
        } finally {
            scaler.close();
        }
    }

    @Test
    void optionsAreChecked() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Autoscaler.Options.of(5, 2))
                .hasMessage("autoscale needs 1 <= MIN <= MAX <= 100000, was 5,2");
        org.assertj.core.api.Assertions.assertThat(
                        List.of(Autoscaler.Options.of(1, 1).min()))
                .containsExactly(1);
    }
}
