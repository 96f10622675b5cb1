package dev.kyu.workflow;

import dev.kyu.codec.JsonCodec;
import dev.kyu.job.Job;
import dev.kyu.job.JobState;
import dev.kyu.spi.Broker;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A workflow as it stands, read from the broker: its end job, the definition in its args, and its step and
 * compensation jobs (one {@code jobsGet}). Used by {@link WorkflowHandle#status()}, {@code kyu workflow ID}
 * and the dashboard.
 *
 * @param id            the workflow's id (its end job's id)
 * @param state         RUNNING until the end job has run, then what it decided
 * @param steps         the steps in topological order, each with its job (null once pruned or deleted)
 * @param compensations the compensations the end job enqueued, in the order they run, with their jobs
 * @param failed        the steps the end job counted as failed (empty while RUNNING)
 * @param finishedAt    when the end job ended, or null
 */
public record WorkflowView(
        String id,
        String name,
        WorkflowState state,
        List<StepView> steps,
        List<CompensationView> compensations,
        List<String> failed,
        Instant enqueuedAt,
        Instant finishedAt,
        Job endJob) {
    public WorkflowView {
        steps = List.copyOf(steps);
        compensations = List.copyOf(compensations);
        failed = failed == null ? List.of() : List.copyOf(failed);
    }

    /** One step: its definition and its job as stored now (null once gone). */
    public record StepView(
            String name,
            String id,
            String task,
            String queue,
            List<String> after,
            FailurePolicy onFailure,
            String compensate,
            Job job) {
        /** The job's state, or null when the job is gone. */
        public JobState state() {
            return job == null ? null : job.state();
        }
    }

    /** One compensation: the step it undoes, its job id and task, its job as stored now (null once gone). */
    public record CompensationView(String step, String id, String task, Job job) {
        public JobState state() {
            return job == null ? null : job.state();
        }
    }

    /** The step of this name, if the workflow has one. */
    public Optional<StepView> step(String name) {
        return steps.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /** How many steps are in each state (a step whose job is gone is not counted). */
    public java.util.Map<JobState, Long> counts() {
        var m = new java.util.EnumMap<JobState, Long>(JobState.class);
        for (StepView s : steps) if (s.job() != null) m.merge(s.job().state(), 1L, Long::sum);
        return m;
    }

    /**
     * Reads the workflow of this id: empty when no such job exists or it is not a workflow's end job.
     * Two broker reads: the end job, then every step and compensation job at once.
     */
    public static Optional<WorkflowView> load(Broker broker, String workflowId) {
        return load(broker, JsonCodec.shared(), workflowId);
    }

    public static Optional<WorkflowView> load(Broker broker, JsonCodec codec, String workflowId) {
        Optional<Job> end = broker.jobGet(workflowId);
        if (end.isEmpty() || !WorkflowMeta.END_TASK.equals(end.get().task())) return Optional.empty();
        return Optional.of(of(broker, codec, end.get()));
    }

    /** The view of a workflow whose end job is already at hand (a listing of {@code kyu.workflow} jobs). */
    public static WorkflowView of(Broker broker, JsonCodec codec, Job end) {
        WorkflowDefinition def = WorkflowJson.definition(codec, end);
        WorkflowOutcome outcome = end.state() == JobState.SUCCEEDED ? WorkflowJson.outcome(codec, end) : null;
        var ids = new ArrayList<String>(def.steps().size()
                + (outcome == null ? 0 : outcome.compensations().size()));
        for (var s : def.steps()) ids.add(s.id());
        if (outcome != null) for (var c : outcome.compensations()) ids.add(c.id());
        var byId = new java.util.HashMap<String, Job>();
        for (Job j : broker.jobsGet(ids)) byId.put(j.id(), j);
        var steps = new ArrayList<StepView>(def.steps().size());
        for (var s : def.steps()) {
            steps.add(new StepView(
                    s.name(), s.id(), s.task(), s.queue(), s.after(), s.onFailure(), s.compensate(), byId.get(s.id())));
        }
        var comps = new ArrayList<CompensationView>();
        if (outcome != null)
            for (var c : outcome.compensations())
                comps.add(new CompensationView(c.step(), c.id(), c.task(), byId.get(c.id())));
        return new WorkflowView(
                end.id(),
                def.name(),
                stateOf(end, outcome),
                steps,
                comps,
                outcome == null ? List.of() : outcome.failed(),
                end.enqueuedAt(),
                end.state().isTerminal() ? end.finishedAt() : null,
                end);
    }

    /**
     * RUNNING until the end job ran; the end job that could not decide (FAILED, CANCELLED by hand) leaves the
     * workflow FAILED or CANCELLED as its own state says.
     */
    private static WorkflowState stateOf(Job end, WorkflowOutcome outcome) {
        if (outcome != null) return outcome.state();
        return switch (end.state()) {
            case FAILED -> WorkflowState.FAILED;
            case CANCELLED -> WorkflowState.CANCELLED;
            default -> WorkflowState.RUNNING;
        };
    }
}
