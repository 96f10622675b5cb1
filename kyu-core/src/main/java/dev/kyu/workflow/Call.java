package dev.kyu.workflow;

import dev.kyu.job.JobOptions;
import dev.kyu.task.KyuTask;
import dev.kyu.task.Task;
import java.util.Objects;

/**
 * One task to call as a workflow step: {@code reserveStock.with(order)}, or a task whose args come from the
 * steps it follows ({@link #of(KyuTask)}, or a bare task in a chain). A call by name
 * ({@link #of(String, Object)}) is for tasks whose code this process does not have; the name must still be
 * registered with the {@code Kyu} that enqueues it, so a typo is refused at enqueue and not at 3 a.m.
 *
 * <p>Immutable: {@link #as}, {@link #onFailure}, {@link #compensate} and {@link #options} return copies.
 *
 * @param taskName    the task's name
 * @param task        the task, or null when called by name
 * @param args        the args (encoded as JSON at enqueue), when {@code fromParents} is false and {@code argsJson} null
 * @param argsJson    args given as JSON text, or null
 * @param fromParents true when the args are the results of the step's parents
 * @param name        the step's name, or null to take the task's name (made unique within the workflow)
 * @param options     failure policy, compensation, job options
 */
public record Call<A, R>(
        String taskName,
        KyuTask<A, R> task,
        A args,
        String argsJson,
        boolean fromParents,
        String name,
        StepOptions options)
        implements Stage {

    public Call {
        Task.checkName(Objects.requireNonNull(taskName, "taskName"));
        options = options == null ? StepOptions.DEFAULTS : options;
        if (name != null) checkStepName(name);
    }

    /** The task with these args. */
    public static <A, R> Call<A, R> of(KyuTask<A, R> task, A args) {
        return new Call<>(task.name(), task, args, null, false, null, null);
    }

    /** The task with the results of the steps it follows as its args (see docs/workflows.md). */
    public static <A, R> Call<A, R> of(KyuTask<A, R> task) {
        return new Call<>(task.name(), task, null, null, true, null, null);
    }

    /** A task by name with these args (encoded as JSON). */
    public static Call<Object, Object> of(String taskName, Object args) {
        return new Call<>(taskName, null, args, null, false, null, null);
    }

    /** A task by name with args given as JSON text (checked at enqueue, stored as given). */
    public static Call<Object, Object> ofJson(String taskName, String argsJson) {
        return new Call<>(taskName, null, null, Objects.requireNonNull(argsJson, "argsJson"), false, null, null);
    }

    /** A task by name taking the results of the steps it follows as its args. */
    public static Call<Object, Object> of(String taskName) {
        return new Call<>(taskName, null, null, null, true, null, null);
    }

    /** This call as the step named {@code stepName}. */
    public Call<A, R> as(String stepName) {
        return new Call<>(taskName, task, args, argsJson, fromParents, stepName, options);
    }

    public Call<A, R> onFailure(FailurePolicy policy) {
        return new Call<>(taskName, task, args, argsJson, fromParents, name, options.withOnFailure(policy));
    }

    /** The task that undoes this step (called with this step's result) when the workflow fails after it succeeded. */
    public Call<A, R> compensate(KyuTask<?, ?> compensation) {
        return new Call<>(taskName, task, args, argsJson, fromParents, name, options.withCompensate(compensation));
    }

    public Call<A, R> compensate(String compensationTaskName) {
        return new Call<>(
                taskName, task, args, argsJson, fromParents, name, options.withCompensate(compensationTaskName));
    }

    /** Job options of this step (queue, retries, timeout...), over the task's own defaults. */
    public Call<A, R> options(JobOptions jobOptions) {
        return new Call<>(taskName, task, args, argsJson, fromParents, name, options.withJob(jobOptions));
    }

    public Call<A, R> options(StepOptions stepOptions) {
        return new Call<>(taskName, task, args, argsJson, fromParents, name, stepOptions);
    }

    /**
     * Step names: 1 to 200 letters, digits, {@code _ . : -}, as task names; a name that is a Java identifier
     * can also be a field of the record a step with several parents binds its args to.
     */
    public static String checkStepName(String name) {
        if (!Task.isValidName(name)) {
            throw new dev.kyu.KyuException.InvalidInput("bad step name " + dev.kyu.codec.Printable.quoted(name)
                    + ": use 1-200 letters, digits, '_', '.', ':' or '-'");
        }
        return name;
    }
}
