package dev.kyu.cli.commands;

import dev.kyu.Kyu;
import dev.kyu.KyuException;
import dev.kyu.cli.ExitCode;
import dev.kyu.cli.KyuCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code kyu limits remove NAME}. */
@Command(
        name = "remove",
        description = "Remove a limit: the jobs it held back run as their due times come.",
        footer = {"", "Example:", "  kyu limits remove imports"})
public final class LimitsRemoveCommand extends KyuCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "The limit.")
    String name;

    @Override
    public Integer call() {
        try (Kyu kyu = connectShared()) {
            if (!kyu.limits().remove(name)) throw new KyuException.InvalidInput("no limit named '" + name + "'");
            output().line("limit " + name + " removed");
            return ExitCode.OK;
        }
    }
}
