package dev.kyu.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kyu.broker.memory.MemoryBroker;
import dev.kyu.job.Job;
import dev.kyu.job.JobError;
import dev.kyu.job.JobState;
import dev.kyu.metrics.KyuMetrics;
import dev.kyu.spi.EnqueueRequest;
import dev.kyu.spi.FetchRequest;
import dev.kyu.spi.NewJob;
import dev.kyu.spi.Outcome;
import dev.kyu.worker.JobListener;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A job whose worker died is finished by the rescue; the rescuing process's listeners hear how it ended. */
class RescueReportTest {
    private final MovableClock clock = new MovableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final MemoryBroker broker = MemoryBroker.open(clock);
    private final List<Heard> heard = new CopyOnWriteArrayList<>();
    private final JobListener recorder = (job, outcome, runTime) -> heard.add(new Heard(job, outcome));

    record Heard(Job job, Outcome outcome) {}

    @AfterEach
    void close() {
        broker.close();
    }

    @Test
    void aJobThatDiedWithItsWorkerOnItsLastAttemptIsReportedDead() throws Exception {
        String id = enqueue(1);
        leaseAndLoseWorker();

        var result = new Maintenance(broker, MaintenanceOptions.DEFAULTS, List.of(recorder)).rescue();

        assertThat(result.failed()).containsExactly(id);
        assertThat(heard).hasSize(1);
        Heard h = heard.get(0);
        assertThat(h.job().id()).isEqualTo(id);
        assertThat(h.job().state()).isEqualTo(JobState.RUNNING);
        assertThat(h.job().errors()).isEmpty();
        assertThat(h.outcome())
                .isInstanceOfSatisfying(
                        Outcome.Dead.class, d -> assertThat(d.error().type()).isEqualTo(JobError.WORKER_LOST));
        assertThat(broker.jobGet(id).orElseThrow().state()).isEqualTo(JobState.FAILED);
    }

    @Test
    void aJobWithAttemptsLeftIsReportedAsARetry() throws Exception {
        String id = enqueue(3);
        leaseAndLoseWorker();

        new Maintenance(broker, MaintenanceOptions.DEFAULTS, List.of(recorder)).rescue();

        assertThat(heard).singleElement().satisfies(h -> {
            assertThat(h.job().id()).isEqualTo(id);
            assertThat(h.outcome()).isInstanceOf(Outcome.Retry.class);
        });
    }

    @Test
    void metricsCountAJobFailedByTheRescue() throws Exception {
        var registry = new SimpleMeterRegistry();
        var metrics = new KyuMetrics(registry);
        enqueue(1);
        leaseAndLoseWorker();

        new Maintenance(broker, MaintenanceOptions.DEFAULTS, List.of(metrics)).rescue();

        assertThat(registry.find("kyu.jobs.failed")
                        .tags("task", "report", "queue", "default")
                        .counter())
                .isNotNull()
                .extracting(c -> c.count())
                .isEqualTo(1.0);
    }

    @Test
    void aThrowingListenerDoesNotStopTheRescueNorTheOtherListeners() throws Exception {
        enqueue(1);
        enqueue(1);
        leaseAndLoseWorker();
        JobListener broken = (job, outcome, runTime) -> {
            throw new IllegalStateException("boom");
        };

        var result = new Maintenance(broker, MaintenanceOptions.DEFAULTS, List.of(broken, recorder)).rescue();

        assertThat(result.failed()).hasSize(2);
        assertThat(heard).hasSize(2);
    }

    private String enqueue(int maxAttempts) {
        String id = dev.kyu.job.JobIds.next(clock);
        broker.jobsEnqueue(EnqueueRequest.of(List.of(NewJob.builder(id, "report")
                .queue("default")
                .maxAttempts(maxAttempts)
                .build())));
        return id;
    }

    /** Leases every queued job to a worker that then vanishes, and lets the leases run out. */
    private void leaseAndLoseWorker() throws InterruptedException {
        List<Job> leased = broker.jobsFetch(
                new FetchRequest("lost-worker", List.of("default"), 100, Duration.ofSeconds(30), Duration.ZERO));
        assertThat(leased).isNotEmpty();
        clock.advance(Duration.ofMinutes(1));
    }

    private static final class MovableClock extends Clock {
        private volatile Instant now;

        MovableClock(Instant start) {
            now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
