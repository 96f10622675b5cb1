package dev.kyu.cli.commands;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.kyu.Kyu;
import dev.kyu.cli.ExitCode;
import dev.kyu.cli.KyuCommand;
import dev.kyu.cli.Output;
import dev.kyu.codec.JobJson;
import dev.kyu.spi.WorkerInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kyu inspect workers}: the live workers from the registry. */
@Command(
        name = "workers",
        description = "Show the workers that reported recently: host, pid, queues, busy slots, heartbeat.",
        footer = {
            "",
            "Examples:",
            "  kyu inspect workers",
            "  kyu --broker redis://localhost:6379 inspect workers --json",
            "",
            "--json prints an array of {\"id\", \"host\", \"pid\", \"queues\", \"concurrency\", \"busy\", \"heartbeatAt\", …}."
        })
public final class InspectWorkersCommand extends KyuCommand {
    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
        try (Kyu kyu = connectShared()) {
            List<WorkerInfo> workers = kyu.admin().workers();
            if (json) {
                ArrayNode a = JsonNodeFactory.instance.arrayNode();
                workers.forEach(w -> a.add(JobJson.worker(w)));
                output().json(a);
                return ExitCode.OK;
            }
            if (workers.isEmpty()) {
                output().line("no workers running on " + kyu.admin().brokerDescription());
                return ExitCode.OK;
            }
            Instant now = kyu.admin().now();
            var rows = new ArrayList<List<String>>();
            for (WorkerInfo w : workers) {
                rows.add(List.of(
                        w.id(),
                        w.host(),
                        Long.toString(w.pid()),
                        String.join(",", w.queues()),
                        w.busy() + "/" + w.concurrency(),
                        Long.toString(w.processed()),
                        Long.toString(w.failed()),
                        Output.ago(w.startedAt(), now),
                        Output.ago(w.heartbeatAt(), now) + (silent(w, now) ? " (silent)" : "")));
            }
            output().table(
                            List.of(
                                    "WORKER",
                                    "HOST",
                                    "PID",
                                    "QUEUES",
                                    "BUSY",
                                    "PROCESSED",
                                    "FAILED",
                                    "STARTED",
                                    "HEARTBEAT"),
                            rows);
            return ExitCode.OK;
        }
    }

    /**
     * A live worker reports every 5 seconds; one silent for three times that has most likely died (its entry
     * stays until a maintenance sweep prunes it, five minutes after its last report).
     */
    private static boolean silent(WorkerInfo w, Instant now) {
        return w.heartbeatAt() != null && w.heartbeatAt().plusSeconds(15).isBefore(now);
    }
}
