package dev.kyu.bench.subject;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kyu.bench.StampTask;
import dev.kyu.bench.proc.WorkerHandle;
import dev.kyu.job.JobState;
import dev.kyu.spi.JobQuery;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class KyuSubjectTest {
    @Test
    @SuppressWarnings("try") // the workers are a scope guard: they run for the try block and stop at its end
    void timedRunsMeasureToTheFirstLineOfTheTaskBody() {
        try (var subject = new KyuSubject("memory:", 0);
                WorkerHandle workers = subject.startWorkers("timed", 4, true)) {
            for (int i = 0; i < 5; i++) subject.enqueueOne("timed");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> subject.progress("timed").finished() == 5);

            List<Subject.JobTimes> times = subject.times("timed");
            assertThat(times).hasSize(5);
            for (Subject.JobTimes t : times) {
                assertThat(t.startedMicros()).isGreaterThanOrEqualTo(t.enqueuedMicros());
            }
            // Each start is the stamp the task body returned, never before the engine's lease of the job.
            var stored = subject.kyu().broker().jobsList(JobQuery.all(100).withQueue("timed"));
            assertThat(stored).allSatisfy(j -> {
                assertThat(j.task()).isEqualTo(StampTask.NAME);
                assertThat(j.state()).isEqualTo(JobState.SUCCEEDED);
                assertThat(Long.parseLong(j.result())).isGreaterThanOrEqualTo(StampTask.micros(j.startedAt()));
            });
        }
    }

    @Test
    @SuppressWarnings("try") // the workers are a scope guard: they run for the try block and stop at its end
    void untimedRunsEnqueueTheNoOpTask() {
        try (var subject = new KyuSubject("memory:", 0);
                WorkerHandle workers = subject.startWorkers("plain", 2, false)) {
            subject.enqueueOne("plain");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> subject.progress("plain").finished() == 1);
            var stored = subject.kyu().broker().jobsList(JobQuery.all(100).withQueue("plain"));
            assertThat(stored)
                    .singleElement()
                    .satisfies(j -> assertThat(j.task()).isEqualTo("kyu.noop"));
        }
    }
}
