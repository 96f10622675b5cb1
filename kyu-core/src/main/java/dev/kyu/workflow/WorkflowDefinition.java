package dev.kyu.workflow;

import java.util.List;

/**
 * A workflow as stored in its end job's args (docs/json.md): its name and its steps in topological order
 * (parents before children), each with its job id. Read by the end job, {@code kyu workflow} and the dashboard.
 */
public record WorkflowDefinition(String name, List<StepDefinition> steps) {
    public WorkflowDefinition {
        steps = steps == null ? List.of() : List.copyOf(steps);
    }

    /**
     * One step as stored.
     *
     * @param after        the names of its parent steps
     * @param compensate   the compensating task's name, or null
     * @param compensation how its compensation job is enqueued (resolved at the workflow's enqueue), or null
     */
    public record StepDefinition(
            String name,
            String id,
            String task,
            String queue,
            List<String> after,
            FailurePolicy onFailure,
            String compensate,
            CompensationJob compensation) {
        public StepDefinition {
            after = after == null ? List.of() : List.copyOf(after);
            onFailure = onFailure == null ? FailurePolicy.FAIL : onFailure;
        }
    }

    /**
     * The options of a compensation job, resolved when the workflow was enqueued (the producer's task defaults
     * and global defaults), since the worker that runs the end job may not know the compensating task.
     */
    public record CompensationJob(String queue, int maxAttempts, String backoff, Long timeoutMs) {}
}
