package dev.kyu.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kyu.Kyu;
import dev.kyu.flow.Limit;
import dev.kyu.job.Job;
import dev.kyu.job.JobOptions;
import dev.kyu.job.JobState;
import java.time.Duration;
import java.util.Collections;
import org.junit.jupiter.api.Test;

/**
 * A concurrency limit while a worker holding its slots is killed with SIGKILL: its jobs are rescued when their
 * leases run out, their slots free themselves (a holder whose job no longer runs is dropped), and a second worker
 * JVM finishes every job, the killed worker's ones rerun. (That the limit is never exceeded is measured inside the
 * task by {@link FlowConformanceSuite}: the broker's RUNNING count also holds jobs leased and not yet admitted.) Each engine's test subclasses this with its broker URL.
 */
public abstract class FlowCrashScenario extends CrashScenarioSupport {
    private static final int JOBS = 8;
    private static final int MAX = 2;
    private static final String QUEUE = "flowcrash";

    @Test
    void slotsOfAKilledWorkerAreFreedAfterRescueAndTheLimitHolds() throws Exception {
        try (Kyu kyu = Kyu.connect(brokerUrl())) {
            kyu.limits().define(Limit.concurrency("crash-slots", Limit.Target.queue(QUEUE), MAX));
            WorkerProcess first = startWorker("first", QUEUE, 10);
            kyu.enqueueJsonAll(
                    "kyu.sleep",
                    Collections.nCopies(JOBS, "{\"ms\": 1500}"),
                    JobOptions.builder().queue(QUEUE).build());
            await("jobs holding the slots in the first worker")
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> kyu.limits().status("crash-slots").running() == MAX
                            || !first.process().isAlive());
            assertThat(first.process().isAlive()).as(first.log()).isTrue();
            first.kill(); // SIGKILL: its slots are never released by it

            var holders = kyu.broker().kvList("kyu.flow.slots/crash-slots/").values().stream()
                    .flatMap(v -> java.util.Arrays.stream(v.split(",")))
                    .filter(id -> !id.isEmpty())
                    .toList();
            assertThat(holders).as("slots held by the killed worker").hasSize(MAX);

            WorkerProcess second = startWorker("second", QUEUE, 10);
            await("every job succeeded")
                    .atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(50))
                    .untilAsserted(
                            () -> assertThat(kyu.broker().queueCounts(QUEUE).get(JobState.SUCCEEDED))
                                    .as(second::log)
                                    .isEqualTo(JOBS));
            for (Job j : kyu.broker().jobsGet(holders)) {
                assertThat(j.attempt())
                        .as("job %s, killed holding a slot, ran again", j.id())
                        .isGreaterThan(1);
            }
            await("no slot leaked")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> kyu.limits().status("crash-slots").running() == 0);
        }
    }
}
