package dev.kyu.workflow;

import dev.kyu.codec.Printable;
import dev.kyu.job.Job;
import dev.kyu.job.JobError;
import dev.kyu.job.JobIds;
import dev.kyu.job.JobState;
import dev.kyu.task.JobContext;
import dev.kyu.task.KyuTask;
import dev.kyu.task.NonRetryableException;
import dev.kyu.task.TaskOptions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * The built-in task {@code kyu.workflow}: the end job of every workflow, released once every step has ended.
 * It reads all the steps at once, decides the workflow's state, and when the workflow FAILED or was CANCELLED
 * enqueues the compensations of the steps that succeeded ({@link Compensations}). Its result is the
 * {@link WorkflowOutcome}. Safe to run twice (a lost lease, a manual retry): the decision is the same and the
 * compensations' ids, derived from the workflow and the step, let them be stored once.
 */
public final class WorkflowEndTask implements KyuTask<WorkflowDefinition, WorkflowOutcome> {
    @Override
    public String name() {
        return WorkflowMeta.END_TASK;
    }

    @Override
    public Class<WorkflowDefinition> argsType() {
        return WorkflowDefinition.class;
    }

    @Override
    public java.lang.reflect.Type resultType() {
        return WorkflowOutcome.class;
    }

    @Override
    public TaskOptions options() {
        return TaskOptions.DEFAULTS;
    }

    @Override
    public WorkflowOutcome run(WorkflowDefinition def, JobContext ctx) {
        WorkflowContext wf;
        try {
            wf = ctx.workflow();
        } catch (IllegalStateException e) {
            // A kyu.workflow job enqueued by hand, without the meta that names its workflow.
            throw new NonRetryableException(
                    e.getMessage() + ": a " + WorkflowMeta.END_TASK + " job needs the meta " + WorkflowMeta.WORKFLOW);
        }
        var ids = new ArrayList<String>(def.steps().size());
        for (var s : def.steps()) {
            // A definition stored by hand can be read but never decided: no retry would make it better.
            if (s.name() == null || !JobIds.isValid(s.id())) {
                throw new NonRetryableException(
                        "the workflow definition in job " + ctx.jobId() + " has a step without a name or a job id ("
                                + Printable.quoted(s.name()) + ", " + Printable.quoted(s.id()) + ")");
            }
            ids.add(s.id());
        }
        var byId = new HashMap<String, Job>(ids.size() * 2);
        for (Job j : wf.broker().jobsGet(ids)) byId.put(j.id(), j);

        var states = new LinkedHashMap<String, JobState>(ids.size() * 2);
        var failed = new ArrayList<String>();
        var skipped = new ArrayList<String>();
        boolean anyFailed = false;
        for (var s : def.steps()) {
            Job j = byId.get(s.id());
            states.put(s.name(), j == null ? null : j.state());
            if (j == null) {
                failed.add(s.name()); // deleted by hand: it did not do its work
                continue;
            }
            if (StepGate.wasSkipped(j)) skipped.add(s.name());
            if (j.state() == JobState.SUCCEEDED || StepGate.wasSkipped(j) || s.onFailure() == FailurePolicy.IGNORE)
                continue;
            failed.add(s.name());
            if (j.state() != JobState.CANCELLED || !cancelledByHand(j)) anyFailed = true;
        }
        if (failed.isEmpty() && !skipped.isEmpty()) {
            // The failure that caused the skips is gone (its step was retried by hand and succeeded), but the
            // skipped steps never did their work: the workflow did not succeed.
            failed.addAll(skipped);
            anyFailed = true;
        }
        WorkflowState state =
                failed.isEmpty() ? WorkflowState.SUCCEEDED : anyFailed ? WorkflowState.FAILED : WorkflowState.CANCELLED;
        List<WorkflowOutcome.Compensation> compensations = state == WorkflowState.SUCCEEDED
                ? List.of()
                : new Compensations(wf.broker()).enqueue(ctx.jobId(), def, byId);
        return new WorkflowOutcome(state, failed, states, compensations);
    }

    private static boolean cancelledByHand(Job j) {
        JobError e = j.lastError();
        return e == null || JobError.CANCELLED.equals(e.type());
    }
}
