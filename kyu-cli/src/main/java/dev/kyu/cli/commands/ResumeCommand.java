package dev.kyu.cli.commands;

import dev.kyu.Kyu;
import dev.kyu.cli.ExitCode;
import dev.kyu.cli.KyuCommand;
import dev.kyu.task.Task;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code kyu resume QUEUE}. */
@Command(
        name = "resume",
        description = "Resume a paused queue: workers fetch from it again.",
        footer = {"", "Example:", "  kyu resume mail"})
public final class ResumeCommand extends KyuCommand {
    @Parameters(index = "0", paramLabel = "QUEUE", description = "The queue.")
    String queue;

    @Override
    public Integer call() {
        Task.checkQueue(queue);
        try (Kyu kyu = connectShared()) {
            kyu.admin().resume(queue);
            output().line("queue " + queue + " resumed");
            return ExitCode.OK;
        }
    }
}
