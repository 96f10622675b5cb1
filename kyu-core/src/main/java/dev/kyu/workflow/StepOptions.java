package dev.kyu.workflow;

import dev.kyu.job.JobOptions;
import dev.kyu.task.KyuTask;
import dev.kyu.task.Task;

/**
 * How one step runs inside its workflow: its failure policy, its compensating task (run with the step's result
 * when the workflow fails after the step succeeded), and its job options (queue, retries, timeout...), layered
 * over the task's defaults as for any enqueue.
 *
 * @param onFailure      what a failure of this step does to the others
 * @param compensate     the compensating task's name, or null
 * @param compensateTask the compensating task when given as an object (its defaults set the compensation's queue), or null
 * @param job            this step's job options; unique keys are refused (a step is one job of one workflow)
 */
public record StepOptions(FailurePolicy onFailure, String compensate, KyuTask<?, ?> compensateTask, JobOptions job) {
    public static final StepOptions DEFAULTS = new StepOptions(FailurePolicy.FAIL, null, null, JobOptions.NONE);

    public StepOptions {
        onFailure = onFailure == null ? FailurePolicy.FAIL : onFailure;
        job = job == null ? JobOptions.NONE : job;
        if (compensateTask != null) compensate = compensateTask.name();
        if (compensate != null) Task.checkName(compensate);
    }

    public StepOptions withOnFailure(FailurePolicy p) {
        return new StepOptions(p, compensate, compensateTask, job);
    }

    public StepOptions withCompensate(KyuTask<?, ?> t) {
        return new StepOptions(onFailure, t.name(), t, job);
    }

    public StepOptions withCompensate(String taskName) {
        return new StepOptions(onFailure, taskName, null, job);
    }

    public StepOptions withJob(JobOptions o) {
        return new StepOptions(onFailure, compensate, compensateTask, o);
    }
}
