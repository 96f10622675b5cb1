package dev.kyu.cli.commands;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.kyu.Kyu;
import dev.kyu.KyuException;
import dev.kyu.cli.ExitCode;
import dev.kyu.cli.KyuCommand;
import dev.kyu.cli.Output;
import dev.kyu.codec.JobJson;
import dev.kyu.codec.JsonCodec;
import dev.kyu.workflow.WorkflowList;
import dev.kyu.workflow.WorkflowState;
import dev.kyu.workflow.WorkflowView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kyu inspect workflows}: workflows newest first (their end jobs, task {@code kyu.workflow}). */
@Command(
        name = "workflows",
        description = "List workflows, newest first.",
        footer = {
            "",
            "Examples:",
            "  kyu inspect workflows",
            "  kyu inspect workflows --state FAILED --limit 50 --json",
            "",
            "Paging: under a page with more after it, a line gives the command for the next",
            "page: the same options and --after the last ID shown.",
            "",
            "States: RUNNING, SUCCEEDED, FAILED, CANCELLED (any case).",
            "--json prints an array of workflow objects, the same shape as 'kyu workflow ID --json'."
        })
public final class InspectWorkflowsCommand extends KyuCommand {
    @Option(
            names = {"-s", "--state"},
            paramLabel = "STATE",
            description = "Only workflows in this state.")
    String state;

    @Option(
            names = {"-l", "--limit"},
            paramLabel = "N",
            description = "At most N workflows, 1..1000 (default: ${DEFAULT-VALUE}).")
    int limit = 20;

    @Option(
            names = "--after",
            paramLabel = "ID",
            description =
                    "Only workflows older than workflow ID, the last ID of the page before (paging by cursor; not with --offset).")
    String after;

    @Option(
            names = "--offset",
            paramLabel = "N",
            description = "Skip the first N (paging by position; not with --after).")
    Integer offset;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
        if (limit < 1 || limit > 1000) throw new KyuException.InvalidInput("--limit must be 1..1000, was " + limit);
        if (offset != null && offset < 0)
            throw new KyuException.InvalidInput("--offset must not be negative, was " + offset);
        String cursor = NextPage.after(after, offset);
        WorkflowState wanted = state == null ? null : parse(state);
        try (Kyu kyu = connectShared()) {
            // one workflow more than shown says whether another page follows
            List<WorkflowView> found = WorkflowList.page(
                    kyu.broker(), JsonCodec.shared(), wanted, limit + 1, offset == null ? 0 : offset, cursor);
            boolean more = found.size() > limit;
            if (more) found = found.subList(0, limit);
            if (json) {
                var a = JsonNodeFactory.instance.arrayNode();
                found.forEach(w -> a.add(JobJson.workflow(w)));
                output().json(a);
                return ExitCode.OK;
            }
            if (found.isEmpty()) {
                output().line("no workflows match");
                return ExitCode.OK;
            }
            Instant now = kyu.admin().now();
            var rows = new ArrayList<List<String>>();
            for (WorkflowView w : found) {
                long done = w.steps().stream()
                        .filter(s -> s.job() == null || s.job().state().isTerminal())
                        .count();
                rows.add(List.of(
                        w.id(),
                        w.state().name(),
                        w.name(),
                        done + "/" + w.steps().size(),
                        Output.ago(w.enqueuedAt(), now),
                        String.join(",", w.failed())));
            }
            output().table(List.of("ID", "STATE", "NAME", "STEPS ENDED", "ENQUEUED", "FAILED"), rows);
            if (more) {
                output().line(NextPage.hint(
                        "workflows",
                        "workflows",
                        java.util.Arrays.asList(
                                "--state", wanted == null ? null : wanted.name(), "--limit", String.valueOf(limit)),
                        found.get(found.size() - 1).id()));
            }
            return ExitCode.OK;
        }
    }

    private static WorkflowState parse(String s) {
        try {
            return WorkflowState.valueOf(s.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new KyuException.InvalidInput("unknown workflow state " + dev.kyu.codec.Printable.quoted(s)
                    + ": use RUNNING, SUCCEEDED, FAILED or CANCELLED");
        }
    }
}
