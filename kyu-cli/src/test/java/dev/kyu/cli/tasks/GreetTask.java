package dev.kyu.cli.tasks;

import dev.kyu.task.JobContext;
import dev.kyu.task.KyuTask;

/** A user task as a class, registered with {@code kyu worker --tasks dev.kyu.cli.tasks.GreetTask}. */
public final class GreetTask implements KyuTask<GreetTask.Args, String> {
    public record Args(String name) {}

    @Override
    public String name() {
        return "test.greet";
    }

    @Override
    public Class<Args> argsType() {
        return Args.class;
    }

    @Override
    public String run(Args args, JobContext ctx) {
        return "hello " + args.name();
    }
}
