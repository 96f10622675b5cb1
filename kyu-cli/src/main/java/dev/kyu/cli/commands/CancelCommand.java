package dev.kyu.cli.commands;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.kyu.Kyu;
import dev.kyu.cli.ExitCode;
import dev.kyu.cli.KyuCommand;
import dev.kyu.spi.CancelResult;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kyu cancel ID…}: waiting jobs are cancelled at once, running ones at their worker's next heartbeat. */
@Command(
        name = "cancel",
        description = "Cancel jobs: at once if waiting, at the worker's next heartbeat if running.",
        footer = {
            "",
            "Example:",
            "  kyu cancel 01890a5d-ac96-774b-bcce-b302099a8057",
            "",
            "Prints one line per job: ID and CANCELLED, CANCEL_REQUESTED, ALREADY_FINISHED or NOT_FOUND.",
            "--json prints an array of {\"id\": \"…\", \"result\": \"CANCELLED\"}. Exit code 1 when a job was not found."
        })
public final class CancelCommand extends KyuCommand {
    @Parameters(paramLabel = "ID", arity = "1..*", description = "Jobs to cancel.")
    List<String> ids;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
        List<String> checked = JobIdsArg.check(ids);
        try (Kyu kyu = connectShared()) {
            List<CancelResult> results = kyu.admin().cancel(checked);
            if (json) {
                ArrayNode a = JsonNodeFactory.instance.arrayNode();
                for (int i = 0; i < checked.size(); i++)
                    a.addObject()
                            .put("id", checked.get(i))
                            .put("result", results.get(i).name());
                output().json(a);
            } else {
                for (int i = 0; i < checked.size(); i++) output().line(checked.get(i) + "  " + results.get(i));
            }
            return results.contains(CancelResult.NOT_FOUND) ? ExitCode.FAILED : ExitCode.OK;
        }
    }
}
