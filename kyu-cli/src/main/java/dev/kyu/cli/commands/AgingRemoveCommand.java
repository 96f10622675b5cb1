package dev.kyu.cli.commands;

import dev.kyu.Kyu;
import dev.kyu.cli.ExitCode;
import dev.kyu.cli.KyuCommand;
import dev.kyu.task.Task;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code kyu aging remove QUEUE}: the queue stops aging; its jobs keep the priorities they reached. */
@Command(
        name = "remove",
        description = "Stop aging a queue; its jobs keep the priorities they reached.",
        footer = {"", "Example:", "  kyu aging remove reports"})
public final class AgingRemoveCommand extends KyuCommand {
    @Parameters(index = "0", paramLabel = "QUEUE", description = "The queue.")
    String queue;

    @Override
    public Integer call() {
        Task.checkQueue(queue);
        try (Kyu kyu = connectShared()) {
            boolean had = kyu.aging().remove(queue);
            output().line(had ? "queue " + queue + " no longer ages" : "queue " + queue + " had no aging rule");
            return ExitCode.OK;
        }
    }
}
