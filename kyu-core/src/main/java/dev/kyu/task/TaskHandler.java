package dev.kyu.task;

/** The body of a task: typed arguments in, a value out (null for none). */
@FunctionalInterface
public interface TaskHandler<A, R> {
    R run(A args, JobContext ctx) throws Exception;
}
