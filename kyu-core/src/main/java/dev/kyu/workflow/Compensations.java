package dev.kyu.workflow;

import dev.kyu.job.Job;
import dev.kyu.job.JobIds;
import dev.kyu.job.JobLinks;
import dev.kyu.job.JobState;
import dev.kyu.job.UniqueScope;
import dev.kyu.spi.Broker;
import dev.kyu.spi.EnqueueRequest;
import dev.kyu.spi.EnqueueResult;
import dev.kyu.spi.NewJob;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The saga's undo: the compensations of a failed workflow's succeeded steps, enqueued as one chain of durable
 * jobs in the reverse order of the steps' finish (a step that finished later is undone first), each released
 * by the one before it. Each carries a unique key for a long period, so an end job that runs again enqueues
 * none twice; all are kept with the workflow.
 */
final class Compensations {
    /** Long enough that no re-run of an end job comes after it; the key outlives the jobs harmlessly. */
    static final Duration KEY_PERIOD = Duration.ofDays(365);

    private final Broker broker;

    Compensations(Broker broker) {
        this.broker = broker;
    }

    List<WorkflowOutcome.Compensation> enqueue(String workflowId, WorkflowDefinition def, Map<String, Job> byId) {
        record Due(int index, WorkflowDefinition.StepDefinition step, Job job) {}
        var due = new ArrayList<Due>();
        for (int i = 0; i < def.steps().size(); i++) {
            var s = def.steps().get(i);
            Job j = byId.get(s.id());
            if (s.compensate() != null && j != null && j.state() == JobState.SUCCEEDED) due.add(new Due(i, s, j));
        }
        if (due.isEmpty()) return List.of();
        // Latest finish first; steps that finished at the same instant in reverse topological order.
        due.sort(Comparator.comparing((Due d) -> d.job().finishedAt() == null ? Instant.MIN : d.job().finishedAt())
                .thenComparingInt(Due::index).reversed());
        var ids = new ArrayList<String>(due.size());
        for (int k = 0; k < due.size(); k++) ids.add(JobIds.next());
        var jobs = new ArrayList<NewJob>(due.size());
        for (int k = 0; k < due.size(); k++) {
            var s = due.get(k).step();
            var c = s.compensation();
            String queue = c == null ? s.queue() : c.queue();
            int attempts = c == null ? 3 : c.maxAttempts();
            List<String> next = k + 1 < due.size() ? List.of(ids.get(k + 1)) : List.of();
            String args = due.get(k).job().result() == null ? "null" : due.get(k).job().result();
            jobs.add(new NewJob(ids.get(k), s.compensate(), queue, args, 0, attempts, null, null,
                    WorkflowMeta.compensationKey(workflowId, s.name()), UniqueScope.PERIOD, KEY_PERIOD,
                    c == null || c.timeoutMs() == null ? null : Duration.ofMillis(c.timeoutMs()), c == null ? null : c.backoff(),
                    Map.of(WorkflowMeta.WORKFLOW, workflowId, WorkflowMeta.STEP, WorkflowMeta.COMPENSATE_PREFIX + s.name()),
                    null, new JobLinks(k == 0 ? 0 : 1, next, workflowId)));
        }
        List<EnqueueResult> results = broker.jobsEnqueue(EnqueueRequest.of(jobs));
        var out = new ArrayList<WorkflowOutcome.Compensation>(due.size());
        for (int k = 0; k < due.size(); k++) {
            out.add(new WorkflowOutcome.Compensation(due.get(k).step().name(), results.get(k).id(), due.get(k).step().compensate()));
        }
        return out;
    }
}
