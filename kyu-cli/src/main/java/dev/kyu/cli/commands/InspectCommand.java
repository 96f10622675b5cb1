package dev.kyu.cli.commands;

import dev.kyu.cli.KyuCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;

/** {@code kyu inspect queues|workers|jobs|schedules|workflows}: what the broker holds, as tables or {@code --json}. */
@Command(
        name = "inspect",
        description = "Show queues, workers, jobs, schedules or workflows.",
        subcommands = {
            InspectQueuesCommand.class,
            InspectWorkersCommand.class,
            InspectJobsCommand.class,
            InspectSchedulesCommand.class,
            InspectWorkflowsCommand.class
        },
        footer = {
            "",
            "Examples:",
            "  kyu inspect queues",
            "  kyu inspect workers --json",
            "  kyu inspect jobs --state FAILED --queue mail --limit 50",
            "  kyu inspect schedules --json",
            "  kyu inspect workflows --state FAILED"
        })
public final class InspectCommand extends KyuCommand {
    @Override
    public Integer call() {
        throw new ParameterException(
                spec.commandLine(), "say what to inspect: queues, workers, jobs, schedules or workflows");
    }
}
