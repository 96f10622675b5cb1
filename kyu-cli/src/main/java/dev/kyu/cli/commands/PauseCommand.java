package dev.kyu.cli.commands;

import dev.kyu.Kyu;
import dev.kyu.cli.ExitCode;
import dev.kyu.cli.KyuCommand;
import dev.kyu.task.Task;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code kyu pause QUEUE}. */
@Command(
        name = "pause",
        description = "Pause a queue: workers stop fetching from it; enqueue still works.",
        footer = {"", "Example:", "  kyu pause mail"})
public final class PauseCommand extends KyuCommand {
    @Parameters(index = "0", paramLabel = "QUEUE", description = "The queue.")
    String queue;

    @Override
    public Integer call() {
        Task.checkQueue(queue);
        try (Kyu kyu = connectShared()) {
            kyu.admin().pause(queue);
            output().line("queue " + queue + " paused");
            return ExitCode.OK;
        }
    }
}
