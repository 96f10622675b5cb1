package dev.kyu.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kyu.Kyu;
import dev.kyu.job.Job;
import dev.kyu.job.JobError;
import dev.kyu.job.JobOptions;
import dev.kyu.job.JobState;
import dev.kyu.spi.JobQuery;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The crash test (docs/delivery.md, at least once): a worker running in its own JVM is killed with SIGKILL
 * while it holds leased jobs; a second worker JVM must finish every job, none lost, and the jobs that
 * were running when the first died must show a rerun (attempt above 1, a {@code kyu.WorkerLost} error).
 * Each engine's test subclasses this with its broker URL.
 */
public abstract class WorkerCrashScenario extends CrashScenarioSupport {
    private static final int JOBS = 300;
    private static final String QUEUE = "crash";

    @Test
    void jobsOfAKilledWorkerAreRunAgainByAnotherAndNoneIsLost() throws Exception {
        try (Kyu kyu = Kyu.connect(brokerUrl())) {
            WorkerProcess first = startWorker("first", QUEUE, 50);
            kyu.enqueueJsonAll(
                    "kyu.sleep",
                    Collections.nCopies(JOBS, "{\"ms\": 200}"),
                    JobOptions.builder().queue(QUEUE).build());

            await("jobs running in the first worker")
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> count(kyu, QUEUE, JobState.RUNNING) >= 10
                            || !first.process().isAlive());
            assertThat(first.process().isAlive()).as(first.log()).isTrue();
            first.kill(); // SIGKILL: no shutdown hook, no hand-back

            // The jobs the dead worker held: nobody will complete them but a rescue.
            Set<String> orphans = kyu.admin().jobs(new JobQuery(JobState.RUNNING, QUEUE, null, null, 1000, 0)).stream()
                    .map(Job::id)
                    .collect(Collectors.toSet());
            assertThat(orphans).as("jobs leased by the killed worker").isNotEmpty();

            WorkerProcess second = startWorker("second", QUEUE, 50);
            await("every job succeeded")
                    .atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(250))
                    .untilAsserted(() -> assertThat(count(kyu, QUEUE, JobState.SUCCEEDED))
                            .as(second::log)
                            .isEqualTo(JOBS));

            List<Job> all = kyu.admin().jobs(new JobQuery(null, QUEUE, null, null, 1000, 0));
            assertThat(all).as("no job lost, none added").hasSize(JOBS);
            assertThat(all).allSatisfy(j -> assertThat(j.state()).isEqualTo(JobState.SUCCEEDED));
            List<Job> reruns = all.stream()
                    .filter(j -> j.attempt() > 1
                            && j.errors().stream().anyMatch(e -> e.type().equals(JobError.WORKER_LOST)))
                    .toList();
            assertThat(reruns).as("reruns counted").isNotEmpty();
            assertThat(reruns.stream().map(Job::id).collect(Collectors.toSet())).containsAll(orphans);
        }
    }
}
