package dev.kyu.task;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Tasks every worker has, for smoke tests and benchmarks (docs/cli.md):
 * {@code kyu.noop} returns null; {@code kyu.echo} returns its args; {@code kyu.sleep {"ms": N}} sleeps;
 * {@code kyu.fail {"message": "...", "times": N}} fails its first N attempts, or always without {@code times};
 * {@code kyu.workflow} is the end job of every workflow ({@link dev.kyu.workflow.WorkflowEndTask}), so any worker
 * can end a workflow whose steps ran on its queue.
 */
public final class BuiltinTasks {
    public record SleepArgs(long ms) {}

    public record FailArgs(String message, Integer times) {}

    /** Thrown by {@code kyu.fail}. */
    public static final class DeliberateFailure extends RuntimeException {
        public DeliberateFailure(String message) {
            super(message);
        }
    }

    private BuiltinTasks() {}

    public static List<KyuTask<?, ?>> all() {
        return List.of(
                Task.of("kyu.noop", JsonNode.class, (args, ctx) -> null),
                Task.of("kyu.echo", JsonNode.class, (args, ctx) -> args),
                Task.of("kyu.sleep", SleepArgs.class, (args, ctx) -> {
                    Thread.sleep(Math.max(0, args.ms()));
                    return null;
                }),
                Task.of("kyu.fail", FailArgs.class, (args, ctx) -> {
                    if (args.times() == null || ctx.attempt() <= args.times()) {
                        throw new DeliberateFailure(
                                args.message() == null ? "kyu.fail failed as asked" : args.message());
                    }
                    return null;
                }),
                new dev.kyu.workflow.WorkflowEndTask());
    }
}
