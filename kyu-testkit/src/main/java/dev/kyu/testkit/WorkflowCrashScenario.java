package dev.kyu.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kyu.Kyu;
import dev.kyu.job.Job;
import dev.kyu.job.JobError;
import dev.kyu.job.JobOptions;
import dev.kyu.job.JobState;
import dev.kyu.spi.JobQuery;
import dev.kyu.workflow.Call;
import dev.kyu.workflow.Workflow;
import dev.kyu.workflow.WorkflowHandle;
import dev.kyu.workflow.WorkflowState;
import dev.kyu.workflow.WorkflowView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The crash test of workflows (docs/workflows.md, guarantees): a worker JVM is killed with SIGKILL while it
 * runs workflow steps; a second worker JVM rescues them and finishes every workflow. No step is lost or left
 * waiting: each ran to one outcome (SUCCEEDED), the steps that were running show a rerun, and every end job
 * SUCCEEDED with the workflow SUCCEEDED. Each engine's test subclasses this with its broker URL.
 */
public abstract class WorkflowCrashScenario extends CrashScenarioSupport {
    private static final int WORKFLOWS = 4;
    private static final int FAN_OUT = 40;
    private static final String QUEUE = "wf-crash";

    @Test
    void workflowsOfAKilledWorkerAreFinishedByAnotherAndNoStepIsLost() throws Exception {
        try (Kyu kyu = Kyu.connect(brokerUrl())) {
            WorkerProcess first = startWorker("first", QUEUE, 20);
            var onQueue = JobOptions.builder().queue(QUEUE).maxAttempts(5).build();
            var handles = new ArrayList<WorkflowHandle>();
            for (int w = 0; w < WORKFLOWS; w++) {
                var fan = new ArrayList<Call<Object, Object>>();
                for (int i = 0; i < FAN_OUT; i++)
                    fan.add(Call.ofJson("kyu.sleep", "{\"ms\": 150}")
                            .as("part-" + i)
                            .options(onQueue));
                handles.add(kyu.enqueue(Workflow.chain(
                                Call.ofJson("kyu.sleep", "{\"ms\": 100}")
                                        .as("start")
                                        .options(onQueue),
                                Workflow.group(fan),
                                Call.ofJson("kyu.noop", "null").as("finish").options(onQueue))
                        .named("crash-" + w)));
            }

            await("steps running in the first worker")
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> count(kyu, QUEUE, JobState.RUNNING) >= 10
                            || !first.process().isAlive());
            assertThat(first.process().isAlive()).as(first.log()).isTrue();
            first.kill(); // SIGKILL: no shutdown hook, no hand-back

            Set<String> orphans = kyu.admin().jobs(new JobQuery(JobState.RUNNING, QUEUE, null, null, 1000, 0)).stream()
                    .map(Job::id)
                    .collect(Collectors.toSet());
            assertThat(orphans).as("steps leased by the killed worker").isNotEmpty();

            WorkerProcess second = startWorker("second", QUEUE, 20);
            for (WorkflowHandle h : handles) {
                WorkflowView v = h.await(Duration.ofSeconds(120));
                assertThat(v.state())
                        .as("%s, worker log: %s", v.name(), second.log())
                        .isEqualTo(WorkflowState.SUCCEEDED);
                assertThat(v.steps()).hasSize(FAN_OUT + 2);
                assertThat(v.steps())
                        .allSatisfy(s -> assertThat(s.state()).as(s.name()).isEqualTo(JobState.SUCCEEDED));
                assertThat(v.endJob().state()).isEqualTo(JobState.SUCCEEDED);
                Job finish = v.step("finish").orElseThrow().job();
                for (var s : v.steps()) {
                    if (s.name().startsWith("part-"))
                        assertThat(finish.startedAt()).isAfterOrEqualTo(s.job().finishedAt());
                }
            }
            List<Job> all = kyu.admin().jobs(new JobQuery(null, QUEUE, null, null, 1000, 0));
            assertThat(all).as("no step lost, none added").hasSize(WORKFLOWS * (FAN_OUT + 3));
            List<Job> reruns = all.stream()
                    .filter(j -> j.attempt() > 1
                            && j.errors().stream().anyMatch(e -> e.type().equals(JobError.WORKER_LOST)))
                    .toList();
            assertThat(reruns.stream().map(Job::id).collect(Collectors.toSet()))
                    .as("the killed worker's steps ran again")
                    .containsAll(orphans);
        }
    }
}
