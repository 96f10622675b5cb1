package dev.kyu.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kyu.Kyu;
import dev.kyu.job.JobOptions;
import dev.kyu.job.JobState;
import dev.kyu.worker.Worker;
import dev.kyu.worker.WorkerOptions;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The meters in an application's own registry, with a worker and no dashboard. */
class KyuMetricsTest {
    @Test
    @SuppressWarnings("try") // the worker is a scope guard: it runs for the try block and stops at its end
    void countsOutcomesAndReadsQueueGaugesFromTheBroker() {
        var registry = new SimpleMeterRegistry();
        var metrics = new KyuMetrics(registry);
        try (Kyu kyu = Kyu.builder().broker("memory:").listener(metrics).build()) {
            metrics.watch(kyu.admin());
            var ok = kyu.enqueue("kyu.echo", Map.of("a", 1), JobOptions.NONE);
            var bad = kyu.enqueue(
                    "kyu.fail", Map.of(), JobOptions.builder().maxAttempts(1).build());
            kyu.enqueue("kyu.noop", null, JobOptions.builder().queue("idle").build());
            try (Worker w = kyu.worker(WorkerOptions.builder()
                            .fetchWait(Duration.ofMillis(100))
                            .shutdownGrace(Duration.ofSeconds(1))
                            .build())
                    .start()) {
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> ok.status() == JobState.SUCCEEDED && bad.status() == JobState.FAILED);
                await().atMost(Duration.ofSeconds(5))
                        .until(() -> registry.find(KyuMetrics.FAILED).counter() != null);
            }
            assertThat(registry.get(KyuMetrics.COMPLETED)
                            .tags("task", "kyu.echo", "queue", "default")
                            .counter()
                            .count())
                    .isEqualTo(1);
            assertThat(registry.get(KyuMetrics.FAILED)
                            .tags("task", "kyu.fail", "queue", "default")
                            .counter()
                            .count())
                    .isEqualTo(1);
            assertThat(registry.get(KyuMetrics.DURATION)
                            .tags("task", "kyu.echo", "outcome", "succeeded")
                            .timer()
                            .count())
                    .isEqualTo(1);
            assertThat(registry.get(KyuMetrics.QUEUE_WAIT)
                            .tags("task", "kyu.echo")
                            .timer()
                            .count())
                    .isEqualTo(1);

            assertThat(registry.get(KyuMetrics.ENQUEUED)
                            .tags("task", "kyu.echo", "queue", "default")
                            .counter()
                            .count())
                    .isEqualTo(1);
            assertThat(registry.get(KyuMetrics.ENQUEUED)
                            .tags("task", "kyu.noop", "queue", "idle")
                            .counter()
                            .count())
                    .isEqualTo(1);

            metrics.refresh();
            assertThat(registry.get(QueueGauges.QUEUE_JOBS)
                            .tags("queue", "idle", "state", "QUEUED")
                            .gauge()
                            .value())
                    .isEqualTo(1);
            assertThat(registry.get(QueueGauges.QUEUE_JOBS)
                            .tags("queue", "default", "state", "SUCCEEDED")
                            .gauge()
                            .value())
                    .isEqualTo(1);
            assertThat(registry.get(QueueGauges.OLDEST_AGE)
                            .tags("queue", "idle")
                            .gauge()
                            .value())
                    .isGreaterThanOrEqualTo(0);
        }
    }

    @Test
    @SuppressWarnings("try") // the worker is a scope guard: it runs for the try block and stops at its end
    void boundLaterItCountsEnqueuesAndOutcomesOfWorkersStartedBefore() {
        var registry = new SimpleMeterRegistry();
        try (Kyu kyu = Kyu.builder().broker("memory:").build();
                Worker w = kyu.worker(WorkerOptions.builder()
                                .fetchWait(Duration.ofMillis(100))
                                .shutdownGrace(Duration.ofSeconds(1))
                                .build())
                        .start()) {
            KyuMetrics.bind(kyu, registry);
            // A key held for a period, not while the job is active: the worker may run the first job before
            // the second enqueue, and the second must still be turned away.
            var once = JobOptions.builder()
                    .uniqueFor("once", Duration.ofMinutes(5))
                    .build();
            var first = kyu.enqueue("kyu.echo", Map.of("a", 1), once);
            var again = kyu.enqueue("kyu.echo", Map.of("a", 1), once);
            assertThat(again.created()).isFalse();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> registry.find(KyuMetrics.COMPLETED).counter() != null);
            assertThat(first.status()).isEqualTo(JobState.SUCCEEDED);
            assertThat(registry.get(KyuMetrics.ENQUEUED)
                            .tags("task", "kyu.echo", "queue", "default")
                            .counter()
                            .count())
                    .as("the enqueue a unique key turned away is not counted")
                    .isEqualTo(1);
            assertThat(registry.get(KyuMetrics.COMPLETED)
                            .tags("task", "kyu.echo", "queue", "default")
                            .counter()
                            .count())
                    .isEqualTo(1);
        }
    }

    @Test
    @SuppressWarnings("try") // the worker is a scope guard: it runs for the try block and stops at its end
    void eachFlowLimitHasItsHeldWaitingAndRunningMeters() {
        var registry = new SimpleMeterRegistry();
        try (Kyu kyu = Kyu.builder().broker("memory:").build();
                Worker w = kyu.worker(WorkerOptions.builder()
                                .fetchWait(Duration.ofMillis(100))
                                .shutdownGrace(Duration.ofSeconds(1))
                                .build())
                        .start()) {
            kyu.limits()
                    .define(dev.kyu.flow.Limit.rate(
                            "echoes", dev.kyu.flow.Limit.Target.task("kyu.echo"), 1, Duration.ofHours(1)));
            var metrics = KyuMetrics.bind(kyu, registry);
            var first = kyu.enqueue("kyu.echo", Map.of("a", 1), JobOptions.NONE);
            var second = kyu.enqueue("kyu.echo", Map.of("a", 2), JobOptions.NONE);
            // both are fetched together and judged on their own threads: either may take the one start
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> java.util.Set.of(first.status(), second.status())
                            .equals(java.util.Set.of(JobState.SUCCEEDED, JobState.SCHEDULED)));
            metrics.refresh();
            assertThat(registry.get("kyu.flow.held")
                            .tags("limit", "echoes")
                            .functionCounter()
                            .count())
                    .isEqualTo(1);
            assertThat(registry.get("kyu.flow.waiting")
                            .tags("limit", "echoes")
                            .gauge()
                            .value())
                    .isEqualTo(1);
            assertThat(registry.get("kyu.flow.running")
                            .tags("limit", "echoes")
                            .gauge()
                            .value())
                    .isZero();
        }
    }
}
