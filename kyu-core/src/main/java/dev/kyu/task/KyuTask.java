package dev.kyu.task;

/**
 * A named unit of work. Implement it as a class (found through {@link java.util.ServiceLoader} or named
 * with {@code kyu worker --tasks}) or build one from a lambda with {@link Task#of}.
 *
 * <p>The name is the task's identity in every payload: it is what producers send and what workers look
 * up, so renaming a task needs an alias ({@link TaskOptions#aliases()}) while old jobs drain.
 *
 * @param <A> the arguments type, bound from the job's JSON args (a record, usually)
 * @param <R> the result type, stored as JSON
 */
public interface KyuTask<A, R> extends dev.kyu.workflow.Stage {
    String name();

    Class<A> argsType();

    R run(A args, JobContext ctx) throws Exception;

    /** The type results are read back as by {@code JobHandle.await}; {@code Object} reads JSON as maps, lists and scalars. */
    default java.lang.reflect.Type resultType() {
        return Object.class;
    }

    /** A call of this task with these args, as a step of a {@link dev.kyu.workflow.Workflow}. */
    default dev.kyu.workflow.Call<A, R> with(A args) {
        return dev.kyu.workflow.Call.of(this, args);
    }

    /** Per-task defaults: queue, retries, back-off, timeout, which exceptions to retry. */
    default TaskOptions options() {
        return TaskOptions.DEFAULTS;
    }
}
