package dev.kyu.cli.tasks;

import dev.kyu.job.JobOptions;
import dev.kyu.task.JobContext;
import dev.kyu.task.KyuTask;
import dev.kyu.task.TaskOptions;

/** A user task with defaults of its own: its jobs go to queue 'images' with 5 attempts unless the enqueue says otherwise. */
public final class ResizeTask implements KyuTask<ResizeTask.Args, String> {
    public record Args(String image) {}

    @Override
    public String name() {
        return "test.resize";
    }

    @Override
    public Class<Args> argsType() {
        return Args.class;
    }

    @Override
    public TaskOptions options() {
        return TaskOptions.of(
                JobOptions.builder().queue("images").maxAttempts(5).build());
    }

    @Override
    public String run(Args args, JobContext ctx) {
        return "resized " + args.image();
    }
}
