package dev.kyu.cli.commands;

import dev.kyu.Kyu;
import dev.kyu.cli.ExitCode;
import dev.kyu.cli.KyuCommand;
import dev.kyu.cli.Output;
import dev.kyu.cli.WorkFailed;
import dev.kyu.codec.JobJson;
import dev.kyu.job.Job;
import dev.kyu.workflow.WorkflowView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kyu workflow ID}: one workflow, its steps in the order of the graph, and its compensations. */
@Command(
        name = "workflow",
        description = "Show one workflow: its state, its steps and its compensations.",
        footer = {
            "",
            "Examples:",
            "  kyu workflow 01890a5d-ac96-774b-bcce-b302099a8057",
            "  kyu workflow 01890a5d-ac96-774b-bcce-b302099a8057 --json | jq '.steps[].state'",
            "",
            "Steps are listed parents first; AFTER names the steps a step waits for.",
            "--json prints {\"id\", \"name\", \"state\", \"steps\", \"compensations\", …} (docs/json.md).",
            "Exit code 1 when no workflow has that id."
        })
public final class WorkflowCommand extends KyuCommand {
    @Parameters(
            index = "0",
            paramLabel = "ID",
            description = "The workflow id (the id kyu.enqueue(workflow) returned).")
    String id;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
        id = JobIdsArg.check(List.of(id)).get(0);
        try (Kyu kyu = connectShared()) {
            WorkflowView w =
                    WorkflowView.load(kyu.broker(), id).orElseThrow(() -> new WorkFailed("no workflow with id " + id));
            if (json) {
                output().json(JobJson.workflow(w));
                return ExitCode.OK;
            }
            print(w, kyu.admin().now());
            return ExitCode.OK;
        }
    }

    private void print(WorkflowView w, Instant now) {
        var o = output();
        o.line("id           " + w.id());
        o.line("name         " + w.name());
        o.line("state        " + w.state()
                + (w.failed().isEmpty() ? "" : "   failed: " + String.join(", ", w.failed())));
        o.line("enqueued     " + time(w.enqueuedAt(), now));
        if (w.finishedAt() != null) o.line("finished     " + time(w.finishedAt(), now));
        o.line("");
        var rows = new ArrayList<List<String>>();
        for (var s : w.steps()) {
            rows.add(row(s.name(), s.task(), s.job(), s.after().isEmpty() ? "-" : String.join(",", s.after()), now));
        }
        o.table(List.of("STEP", "TASK", "STATE", "ATTEMPT", "FINISHED", "AFTER", "ERROR"), rows);
        if (w.compensations().isEmpty()) return;
        o.line("");
        var comps = new ArrayList<List<String>>();
        for (var c : w.compensations()) comps.add(row(c.step(), c.task(), c.job(), c.id(), now));
        o.table(List.of("COMPENSATES", "TASK", "STATE", "ATTEMPT", "FINISHED", "JOB", "ERROR"), comps);
    }

    /** One step's line; a job already pruned shows as GONE. */
    private static List<String> row(String name, String task, Job j, String extra, Instant now) {
        if (j == null) return List.of(name, task, "GONE", "-", "-", extra, "");
        return List.of(
                name,
                task,
                j.state().name(),
                j.attempt() + "/" + j.maxAttempts(),
                j.state().isTerminal() && j.finishedAt() != null ? Output.ago(j.finishedAt(), now) : "-",
                extra,
                j.error() == null ? "" : Output.shorten(errorLine(j.error()), 80));
    }

    /** A skipped step's reason alone ("skipped: step charge failed"); else the error's type and message. */
    private static String errorLine(dev.kyu.job.JobError e) {
        return dev.kyu.workflow.WorkflowMeta.SKIPPED.equals(e.type())
                ? e.message()
                : simpleName(e.type()) + ": " + e.message();
    }

    /** {@code PaymentDeclined} for {@code com.shop.Tasks$PaymentDeclined}: the line has room for the message. */
    private static String simpleName(String type) {
        return type.substring(Math.max(type.lastIndexOf('.'), type.lastIndexOf('$')) + 1);
    }

    private static String time(Instant t, Instant now) {
        return t == null ? "-" : t + " (" + Output.ago(t, now) + ")";
    }
}
