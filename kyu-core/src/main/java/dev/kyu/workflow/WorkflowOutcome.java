package dev.kyu.workflow;

import dev.kyu.job.JobState;
import java.util.List;
import java.util.Map;

/**
 * What a workflow's end job decided, stored as its result (docs/json.md).
 *
 * @param state         SUCCEEDED, FAILED or CANCELLED
 * @param failed        the steps that failed under policy FAIL or CONTINUE (or were cancelled), in definition order
 * @param steps         each step's state when the end job ran
 * @param compensations the compensation jobs enqueued, in the order they run
 */
public record WorkflowOutcome(
        WorkflowState state, List<String> failed, Map<String, JobState> steps, List<Compensation> compensations) {
    public WorkflowOutcome {
        failed = failed == null ? List.of() : List.copyOf(failed);
        steps = steps == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(steps));
        compensations = compensations == null ? List.of() : List.copyOf(compensations);
    }

    /** One compensation job: the step it undoes, its job id, its task. */
    public record Compensation(String step, String id, String task) {}
}
