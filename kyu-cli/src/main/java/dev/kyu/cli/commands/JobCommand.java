package dev.kyu.cli.commands;

import dev.kyu.Kyu;
import dev.kyu.KyuException;
import dev.kyu.cli.ExitCode;
import dev.kyu.cli.KyuCommand;
import dev.kyu.cli.Output;
import dev.kyu.codec.JobJson;
import dev.kyu.job.Job;
import dev.kyu.job.JobError;
import java.time.Instant;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kyu job ID}: one job in full, with every attempt's error. */
@Command(
        name = "job",
        description = "Show one job: state, attempts, args, result and every attempt's error.",
        footer = {
            "",
            "Examples:",
            "  kyu job 01890a5d-ac96-774b-bcce-b302099a8057",
            "  kyu job 01890a5d-ac96-774b-bcce-b302099a8057 --json | jq .state",
            "",
            "--json prints {\"id\", \"task\", \"queue\", \"state\", \"attempt\", \"maxAttempts\", \"args\", \"result\", \"error\", \"errors\", …}.",
            "Exit code 1 when no job has that id."
        })
public final class JobCommand extends KyuCommand {
    @Parameters(index = "0", paramLabel = "ID", description = "The job id.")
    String id;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Option(names = "--stack", description = "Show the stack trace of every failed attempt.")
    boolean stack;

    @Override
    public Integer call() {
        id = JobIdsArg.check(List.of(id)).get(0);
        try (Kyu kyu = connectShared()) {
            Job j = kyu.admin().job(id).orElseThrow(() -> new KyuException.JobNotFound(id));
            if (json) {
                output().json(JobJson.job(j));
                return ExitCode.OK;
            }
            print(j, kyu.admin().now());
            return ExitCode.OK;
        }
    }

    private void print(Job j, Instant now) {
        var o = output();
        o.line("id           " + j.id());
        o.line("task         " + j.task());
        o.line("queue        " + j.queue() + "   priority " + j.priority());
        o.line("state        " + j.state() + (j.cancelRequested() ? " (cancel requested)" : ""));
        o.line("attempt      " + j.attempt() + " of " + j.maxAttempts());
        if (j.progress() != null) o.line("progress     " + progress(j.progress()));
        o.line("enqueued     " + time(j.enqueuedAt(), now));
        o.line("scheduled    " + time(j.scheduledAt(), now));
        // A job waiting again (for its retry, or handed back) keeps the start of the attempt before.
        boolean waiting = j.state() == dev.kyu.job.JobState.QUEUED || j.state() == dev.kyu.job.JobState.SCHEDULED;
        if (j.startedAt() != null) o.line((waiting ? "last started " : "started      ") + time(j.startedAt(), now));
        if (j.finishedAt() != null) o.line("finished     " + time(j.finishedAt(), now));
        if (j.workerId() != null)
            o.line("worker       " + j.workerId()
                    + (j.leaseExpiresAt() == null ? "" : ", lease until " + j.leaseExpiresAt()));
        if (j.uniqueKey() != null) o.line("unique key   " + j.uniqueKey());
        if (j.timeout() != null) o.line("timeout      " + Output.human(j.timeout()));
        if (!j.meta().isEmpty()) o.line("meta         " + j.meta());
        o.line("args         " + Output.shorten(j.args(), 500));
        o.line("result       " + (j.result() == null ? "-" : Output.shorten(j.result(), 500)));
        if (j.errors().isEmpty()) return;
        o.line("errors");
        for (JobError e : j.errors()) {
            o.line("  attempt " + e.attempt() + "  " + (e.at() == null ? "" : e.at() + "  ") + e.type() + ": "
                    + Output.shorten(e.message(), 300));
            if (stack && !e.stackTrace().isBlank())
                e.stackTrace().lines().forEach(l -> o.line("      " + l.replace("\t", "    ")));
        }
    }

    private static String progress(dev.kyu.job.Progress p) {
        return p.percent() + "%" + (p.message() == null ? "" : "  " + Output.shorten(p.message(), 200));
    }

    private static String time(Instant t, Instant now) {
        return t == null
                ? "-"
                : t + " ("
                        + (t.isAfter(now)
                                ? "in " + Output.human(java.time.Duration.between(now, t))
                                : Output.ago(t, now))
                        + ")";
    }
}
