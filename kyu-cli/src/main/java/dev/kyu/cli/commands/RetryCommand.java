package dev.kyu.cli.commands;

import dev.kyu.Kyu;
import dev.kyu.KyuException;
import dev.kyu.cli.ExitCode;
import dev.kyu.cli.KyuCommand;
import dev.kyu.task.Task;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kyu retry ID…} or {@code kyu retry --failed [--queue Q]}: FAILED or CANCELLED jobs back to QUEUED. */
@Command(
        name = "retry",
        description = "Put FAILED or CANCELLED jobs back in their queue, attempts reset, error history kept.",
        footer = {
            "",
            "Examples:",
            "  kyu retry 01890a5d-ac96-774b-bcce-b302099a8057",
            "  kyu retry --failed --queue mail",
            "",
            "--json prints {\"retried\": N}."
        })
public final class RetryCommand extends KyuCommand {
    @Parameters(paramLabel = "ID", arity = "0..*", description = "Jobs to retry.")
    List<String> ids = new ArrayList<>();

    @Option(names = "--failed", description = "Retry every FAILED job (of --queue, else of all queues).")
    boolean failed;

    @Option(
            names = {"-q", "--queue"},
            paramLabel = "QUEUE",
            description = "With --failed: only this queue.")
    String queue;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
        if (failed == !ids.isEmpty())
            throw new KyuException.InvalidInput("give job ids or --failed, not " + (failed ? "both" : "neither"));
        if (queue != null && !failed) throw new KyuException.InvalidInput("--queue goes with --failed");
        if (queue != null) Task.checkQueue(queue);
        List<String> checked = JobIdsArg.check(ids);
        try (Kyu kyu = connectShared()) {
            if (failed) {
                int n = kyu.admin().retryFailed(queue);
                print(n, n + " failed job(s) back in " + (queue == null ? "their queues" : "queue " + queue));
                return ExitCode.OK;
            }
            // Read first, so that the ids left can be told apart from jobs a worker picked up at once.
            var before = new java.util.LinkedHashMap<String, java.util.Optional<dev.kyu.job.Job>>();
            for (String id : checked) before.put(id, kyu.admin().job(id));
            int n = kyu.admin().retry(checked);
            print(n, n + " of " + checked.size() + " job(s) back in their queue");
            before.forEach((id, job) -> {
                var state = job.map(dev.kyu.job.Job::state).orElse(null);
                if (json || state == dev.kyu.job.JobState.FAILED || state == dev.kyu.job.JobState.CANCELLED) return;
                output().line(id + "  "
                        + (state == null ? "NOT_FOUND" : state + " (only FAILED or CANCELLED jobs are retried)"));
            });
            return before.values().stream().anyMatch(java.util.Optional::isEmpty) ? ExitCode.FAILED : ExitCode.OK;
        }
    }

    private void print(int retried, String line) {
        if (json)
            output().json(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance
                    .objectNode()
                    .put("retried", retried));
        else output().line(line);
    }
}
