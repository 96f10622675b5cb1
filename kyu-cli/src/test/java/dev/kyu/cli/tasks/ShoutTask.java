package dev.kyu.cli.tasks;

import dev.kyu.task.JobContext;
import dev.kyu.task.KyuTask;

/** A user task found through ServiceLoader (listed in META-INF/services/dev.kyu.task.KyuTask of the tests). */
public final class ShoutTask implements KyuTask<ShoutTask.Args, String> {
    public record Args(String text) {}

    @Override
    public String name() {
        return "test.shout";
    }

    @Override
    public Class<Args> argsType() {
        return Args.class;
    }

    @Override
    public String run(Args args, JobContext ctx) {
        return args.text().toUpperCase(java.util.Locale.ROOT);
    }
}
