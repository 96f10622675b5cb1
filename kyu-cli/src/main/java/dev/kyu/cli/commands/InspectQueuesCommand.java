package dev.kyu.cli.commands;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.kyu.Kyu;
import dev.kyu.cli.ExitCode;
import dev.kyu.cli.KyuCommand;
import dev.kyu.cli.Output;
import dev.kyu.codec.JobJson;
import dev.kyu.job.JobState;
import dev.kyu.spi.QueueInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kyu inspect queues}: every queue with its count of jobs in each state. */
@Command(
        name = "queues",
        description = "Show every queue: paused or not, jobs in each state, how long the oldest has waited.",
        footer = {
            "",
            "Examples:",
            "  kyu inspect queues",
            "  kyu inspect queues --json | jq '.[] | {queue, waiting: .counts.QUEUED}'",
            "",
            "--json prints an array of {\"queue\": \"…\", \"paused\": false, \"counts\": {\"SCHEDULED\": 0, \"QUEUED\": 3, …}, \"oldestQueuedAt\": …}."
        })
public final class InspectQueuesCommand extends KyuCommand {
    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
        try (Kyu kyu = connectShared()) {
            List<QueueInfo> queues = kyu.admin().queues();
            if (json) {
                ArrayNode a = JsonNodeFactory.instance.arrayNode();
                queues.forEach(q -> a.add(JobJson.queue(q)));
                output().json(a);
                return ExitCode.OK;
            }
            if (queues.isEmpty()) {
                output().line("no queues yet on " + kyu.admin().brokerDescription());
                return ExitCode.OK;
            }
            Instant now = kyu.admin().now();
            var headers = new ArrayList<>(List.of("QUEUE", "PAUSED"));
            for (JobState s : JobState.values()) headers.add(s.name());
            headers.add("OLDEST WAITING");
            var rows = new ArrayList<List<String>>();
            for (QueueInfo q : queues) {
                var row = new ArrayList<>(List.of(q.queue(), q.paused() ? "yes" : "no"));
                for (JobState s : JobState.values()) row.add(Long.toString(q.count(s)));
                row.add(q.oldestQueuedAt() == null ? "-" : Output.ago(q.oldestQueuedAt(), now));
                rows.add(row);
            }
            output().table(headers, rows);
            return ExitCode.OK;
        }
    }
}
