package dev.kyu.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kyu.cli.ExitCode;
import dev.kyu.cli.Output;
import dev.kyu.cli.ProgressBar;
import dev.kyu.cli.WorkFailed;
import dev.kyu.client.JobHandle;
import dev.kyu.codec.JobJson;
import dev.kyu.job.Job;
import dev.kyu.job.JobState;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code enqueue --wait}: waits for jobs to finish within one shared deadline and reports them. Exit 0 when
 * all SUCCEEDED, 1 when any ended FAILED or CANCELLED or did not finish in time.
 */
final class JobWaiter {
    private final Output out;
    private final PrintWriter err;
    private final boolean json;
    private final boolean terminal;

    JobWaiter(Output out, PrintWriter err, boolean json, boolean terminal) {
        this.out = out;
        this.err = err;
        this.json = json;
        this.terminal = terminal;
    }

    int await(List<JobHandle<JsonNode>> handles, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        var finished = new ArrayList<Job>(handles.size());
        ProgressBar bar = handles.size() > 1 ? new ProgressBar(err, "finished", handles.size(), terminal) : null;
        for (JobHandle<JsonNode> h : handles) {
            Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
            Job job = h.awaitJob(left);
            if (!job.state().isTerminal()) {
                if (bar != null) bar.finish();
                throw new WorkFailed("job " + job.id() + " is still " + job.state() + " after " + Output.human(timeout)
                        + " (is a worker running for queue " + job.queue() + "?)");
            }
            finished.add(job);
            if (bar != null) bar.step(1);
        }
        if (bar != null) bar.finish();
        report(finished);
        List<Job> bad =
                finished.stream().filter(j -> j.state() != JobState.SUCCEEDED).toList();
        if (bad.isEmpty()) return ExitCode.OK;
        Job first = bad.get(0);
        String why = first.error() == null
                ? ""
                : ": " + first.error().type() + ": "
                        + Output.shorten(first.error().message(), 200);
        err.println("kyu: "
                + (bad.size() == 1
                        ? "job " + first.id() + " ended " + first.state() + why
                        : bad.size() + " of " + finished.size() + " jobs did not succeed; first: " + first.id() + " "
                                + first.state() + why));
        err.flush();
        return ExitCode.FAILED;
    }

    private void report(List<Job> jobs) {
        if (json) {
            if (jobs.size() == 1) out.json(JobJson.job(jobs.get(0)));
            else out.json(JobJson.jobs(jobs));
            return;
        }
        if (jobs.size() == 1) {
            Job j = jobs.get(0);
            out.line(j.id() + "  " + j.state() + (j.state() == JobState.SUCCEEDED ? "  " + resultText(j) : ""));
            return;
        }
        long ok = jobs.stream().filter(j -> j.state() == JobState.SUCCEEDED).count();
        out.line(jobs.size() + " jobs finished: " + ok + " succeeded, " + (jobs.size() - ok) + " failed or cancelled");
    }

    private static String resultText(Job j) {
        return j.result() == null ? "null" : Output.shorten(j.result(), 200);
    }
}
