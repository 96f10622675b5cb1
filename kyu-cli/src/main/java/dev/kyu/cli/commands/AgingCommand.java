package dev.kyu.cli.commands;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.kyu.Kyu;
import dev.kyu.cli.ExitCode;
import dev.kyu.cli.KyuCommand;
import dev.kyu.cli.Output;
import dev.kyu.codec.JsonCodec;
import dev.kyu.flow.Aging;
import dev.kyu.flow.AgingRule;
import dev.kyu.job.Durations;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kyu aging [set|remove]}: the priority aging rules of the queues; alone, it lists them. */
@Command(
        name = "aging",
        description =
                "Show or change priority aging: a waiting job's priority rises by one per step of its queue, up to a ceiling.",
        subcommands = {AgingSetCommand.class, AgingRemoveCommand.class},
        footer = {
            "",
            "Examples:",
            "  kyu aging",
            "  kyu aging set reports --every 1m --ceiling 5",
            "  kyu aging remove reports",
            "",
            "--json prints an array of {\"queue\", \"every\" (ISO-8601), \"ceiling\", \"lastStepAt\"} (docs/flow-control.md)."
        })
public final class AgingCommand extends KyuCommand {
    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
        try (Kyu kyu = connectShared()) {
            Aging aging = kyu.aging();
            List<AgingRule> rules = aging.list();
            Map<String, Instant> lastSteps = aging.lastSteps();
            if (json) {
                ArrayNode out = JsonCodec.shared().mapper().createArrayNode();
                for (AgingRule r : rules) {
                    var o = out.addObject()
                            .put("queue", r.queue())
                            .put("every", r.every().toString())
                            .put("ceiling", r.ceiling());
                    Instant last = lastSteps.get(r.queue());
                    if (last == null) o.putNull("lastStepAt");
                    else o.put("lastStepAt", last.toString());
                }
                output().json(out);
            } else if (rules.isEmpty()) {
                output().line("no aging rules on " + kyu.broker().describe());
            } else {
                Instant now = kyu.broker().now();
                var rows = new ArrayList<List<String>>();
                for (AgingRule r : rules) {
                    rows.add(List.of(
                            r.queue(),
                            Durations.format(r.every()),
                            Integer.toString(r.ceiling()),
                            Output.ago(lastSteps.get(r.queue()), now)));
                }
                output().table(List.of("QUEUE", "EVERY", "CEILING", "LAST STEP"), rows);
            }
            return ExitCode.OK;
        }
    }
}
