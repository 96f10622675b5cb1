package dev.kyu.cli.commands;

import dev.kyu.Kyu;
import dev.kyu.KyuException;
import dev.kyu.cli.Converters;
import dev.kyu.cli.ExitCode;
import dev.kyu.cli.KyuCommand;
import dev.kyu.cli.Output;
import dev.kyu.codec.JobJson;
import dev.kyu.job.Job;
import dev.kyu.job.JobState;
import dev.kyu.spi.JobQuery;
import dev.kyu.task.Task;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kyu inspect jobs}: jobs newest first, filtered by state, queue, task or text. */
@Command(
        name = "jobs",
        description = "List jobs, newest first.",
        footer = {
            "",
            "Examples:",
            "  kyu inspect jobs --state FAILED",
            "  kyu inspect jobs --queue mail --task email.send --limit 100",
            "  kyu inspect jobs --text order-17 --json",
            "  kyu inspect jobs --state FAILED --after 01890a5d-ac96-774b-bcce-b302099a8057",
            "",
            "Paging: under a page with more after it, a line gives the command for the next",
            "page: the same options and --after the last ID shown. With --json, the next",
            "page is --after the last object's id when the array holds --limit jobs.",
            "",
            "States: BLOCKED, SCHEDULED, QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED (any case).",
            "--json prints an array of job objects, the same shape as 'kyu job ID --json'."
        })
public final class InspectJobsCommand extends KyuCommand {
    @Option(
            names = {"-s", "--state"},
            paramLabel = "STATE",
            converter = Converters.StateConverter.class,
            description = "Only jobs in this state.")
    JobState state;

    @Option(
            names = {"-q", "--queue"},
            paramLabel = "QUEUE",
            description = "Only jobs of this queue.")
    String queue;

    @Option(
            names = {"-t", "--task"},
            paramLabel = "TASK",
            description = "Only jobs of this task.")
    String task;

    @Option(
            names = "--text",
            paramLabel = "TEXT",
            description = "Only jobs whose id, task, args or last error contain this text.")
    String text;

    @Option(
            names = {"-l", "--limit"},
            paramLabel = "N",
            description = "At most N jobs, 1..10000 (default: ${DEFAULT-VALUE}).")
    int limit = 20;

    @Option(
            names = "--after",
            paramLabel = "ID",
            description =
                    "Only jobs older than job ID, the last ID of the page before: the next page, read as fast as the first (paging by cursor; not with --offset).")
    String after;

    @Option(
            names = "--offset",
            paramLabel = "N",
            description = "Skip the first N (paging by position: each page reads the ones it skips; not with --after).")
    Integer offset;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
        if (limit < 1 || limit > 10_000) throw new KyuException.InvalidInput("--limit must be 1..10000, was " + limit);
        if (offset != null && offset < 0)
            throw new KyuException.InvalidInput("--offset must not be negative, was " + offset);
        String cursor = NextPage.after(after, offset);
        if (queue != null) Task.checkQueue(queue);
        if (task != null) Task.checkName(task);
        try (Kyu kyu = connectShared()) {
            // One job more than shown says whether another page follows (at the largest limit, a full page is taken
            // to).
            var query = new JobQuery(
                    state, queue, task, text, Math.min(limit + 1, 10_000), offset == null ? 0 : offset, cursor);
            List<Job> jobs = kyu.admin().jobs(query);
            boolean more = jobs.size() >= limit && (jobs.size() > limit || limit == 10_000);
            if (jobs.size() > limit) jobs = jobs.subList(0, limit);
            if (json) {
                output().json(JobJson.jobs(jobs));
                return ExitCode.OK;
            }
            if (jobs.isEmpty()) {
                output().line("no jobs match");
                return ExitCode.OK;
            }
            Instant now = kyu.admin().now();
            var rows = new ArrayList<List<String>>();
            for (Job j : jobs) {
                rows.add(List.of(
                        j.id(),
                        j.state().name(),
                        j.task(),
                        j.queue(),
                        j.attempt() + "/" + j.maxAttempts(),
                        Output.ago(j.enqueuedAt(), now),
                        j.error() == null
                                ? ""
                                : Output.shorten(
                                        j.error().type() + ": " + j.error().message(), 60)));
            }
            output().table(List.of("ID", "STATE", "TASK", "QUEUE", "ATTEMPT", "ENQUEUED", "LAST ERROR"), rows);
            if (more) {
                output().line(NextPage.hint(
                        "jobs",
                        "jobs",
                        java.util.Arrays.asList(
                                "--state",
                                state == null ? null : state.name(),
                                "--queue",
                                queue,
                                "--task",
                                task,
                                "--text",
                                text,
                                "--limit",
                                String.valueOf(limit)),
                        jobs.get(jobs.size() - 1).id()));
            }
            return ExitCode.OK;
        }
    }
}
