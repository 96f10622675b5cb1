package dev.kyu.cli.commands;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.kyu.Kyu;
import dev.kyu.cli.ExitCode;
import dev.kyu.cli.KyuCommand;
import dev.kyu.task.Task;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kyu purge QUEUE}: deletes the waiting jobs of a queue; running and finished ones stay. */
@Command(
        name = "purge",
        description = "Delete every waiting (SCHEDULED or QUEUED) job of a queue. Running and finished jobs stay.",
        footer = {"", "Example:", "  kyu purge low", "", "--json prints {\"purged\": N}."})
public final class PurgeCommand extends KyuCommand {
    @Parameters(index = "0", paramLabel = "QUEUE", description = "The queue.")
    String queue;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
        Task.checkQueue(queue);
        try (Kyu kyu = connectShared()) {
            int n = kyu.admin().purge(queue);
            if (json) output().json(JsonNodeFactory.instance.objectNode().put("purged", n));
            else output().line("purged " + n + " waiting job(s) from queue " + queue);
            return ExitCode.OK;
        }
    }
}
