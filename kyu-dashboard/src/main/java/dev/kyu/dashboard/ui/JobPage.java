package dev.kyu.dashboard.ui;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kyu.KyuException;
import dev.kyu.codec.JsonCodec;
import dev.kyu.dashboard.DashboardContext;
import dev.kyu.dashboard.http.Request;
import dev.kyu.dashboard.http.Response;
import dev.kyu.dashboard.http.Router;
import dev.kyu.job.Job;
import dev.kyu.job.JobError;
import dev.kyu.job.JobState;
import dev.kyu.workflow.WorkflowMeta;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** One job: its fields, args and result, every attempt's error with stack trace, a timeline; retry, cancel, delete. */
public final class JobPage {
    private record Event(Instant at, String what) {}

    private final DashboardContext ctx;
    private final Layout layout;

    public JobPage(DashboardContext ctx, Layout layout) {
        this.ctx = ctx;
        this.layout = layout;
    }

    public void routes(Router router) {
        router.get("/jobs/{id}", this::render);
    }

    private Response render(Request r) {
        String id = dev.kyu.job.JobIds.parse(r.param("id")); // text that is no UUID: a 400, not a 404
        Job j = ctx.admin().job(id).orElseThrow(() -> new KyuException.JobNotFound(id));
        String self = "/jobs/" + j.id();
        StringBuilder b = new StringBuilder("<h1>Job <code>")
                .append(Html.esc(j.id()))
                .append("</code> ")
                .append(Html.state(j.state()))
                .append("</h1><div class=\"actions job-actions\">");
        if (j.state() == JobState.FAILED || j.state() == JobState.CANCELLED) {
            b.append(layout.action(r, "/api/jobs/" + j.id() + "/retry", "Retry", self, null, "retry"));
        }
        if (!j.state().isTerminal() && !j.cancelRequested()) {
            b.append(layout.action(r, "/api/jobs/" + j.id() + "/cancel", "Cancel", self, "Cancel this job?", ""));
        }
        if (j.state() != JobState.RUNNING) {
            b.append(layout.action(
                    r, "/api/jobs/" + j.id() + "/delete", "Delete", "/jobs", "Delete this job for good?", "danger"));
        }
        b.append("</div><dl class=\"fields\">");
        dt(b, "Task", Html.esc(j.task()));
        String workflow = workflowOf(j);
        if (workflow != null) {
            String step = j.meta().get(WorkflowMeta.STEP);
            dt(
                    b,
                    "Workflow",
                    "<a href=\"/workflows/" + Html.esc(workflow) + "\">" + Html.esc(workflow) + "</a>"
                            + (step == null ? "" : " · step " + Html.esc(step)));
        }
        dt(b, "Queue", "<a href=\"/jobs?queue=" + Html.url(j.queue()) + "\">" + Html.esc(j.queue()) + "</a>");
        dt(b, "Attempt", j.attempt() + " of " + j.maxAttempts());
        if (j.progress() != null) dt(b, "Progress", ProgressBar.html(j.progress()));
        dt(b, "Priority", String.valueOf(j.priority()));
        if (j.workerId() != null) dt(b, "Worker", "<code>" + Html.esc(j.workerId()) + "</code>");
        if (j.uniqueKey() != null) dt(b, "Unique key", Html.esc(j.uniqueKey()));
        if (j.timeout() != null) dt(b, "Timeout", Html.age(j.timeout()));
        if (j.cancelRequested()) dt(b, "Cancel", "requested");
        for (Map.Entry<String, String> m : j.meta().entrySet())
            dt(b, "meta " + Html.esc(m.getKey()), Html.esc(m.getValue()));
        b.append("</dl><h2>Args</h2><pre class=\"json\" id=\"job-args\">")
                .append(Html.esc(pretty(j.args())))
                .append("</pre>");
        if (j.result() != null)
            b.append("<h2>Result</h2><pre class=\"json\" id=\"job-result\">")
                    .append(Html.esc(pretty(j.result())))
                    .append("</pre>");
        b.append("<h2>Timeline</h2><ol class=\"timeline\">");
        for (Event e : timeline(j))
            b.append("<li>")
                    .append(Html.time(e.at))
                    .append(' ')
                    .append(Html.esc(e.what))
                    .append("</li>");
        b.append("</ol>");
        if (!j.errors().isEmpty()) {
            b.append("<h2>Errors</h2>");
            for (int i = j.errors().size() - 1; i >= 0; i--) {
                JobError e = j.errors().get(i);
                b.append("<details class=\"error\"")
                        .append(i == j.errors().size() - 1 ? " open" : "")
                        .append("><summary>Attempt ")
                        .append(e.attempt())
                        .append(" · ")
                        .append(Html.time(e.at()))
                        .append(" · <strong>")
                        .append(Html.esc(e.type()))
                        .append("</strong>: ")
                        .append(Html.esc(e.message()))
                        .append("</summary>");
                if (!e.stackTrace().isEmpty())
                    b.append("<pre class=\"stack\">")
                            .append(Html.esc(e.stackTrace()))
                            .append("</pre>");
                b.append("</details>");
            }
        }
        return layout.page(r, "/jobs", "Job " + j.id(), b.toString());
    }

    /** The workflow a step, a compensation or an end job belongs to (a malformed stored id links nowhere). */
    private static String workflowOf(Job j) {
        String id = WorkflowMeta.END_TASK.equals(j.task()) ? j.id() : j.meta().get(WorkflowMeta.WORKFLOW);
        if (id == null) return null;
        try {
            return dev.kyu.job.JobIds.parse(id);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static void dt(StringBuilder b, String label, String html) {
        b.append("<dt>").append(label).append("</dt><dd>").append(html).append("</dd>");
    }

    private static List<Event> timeline(Job j) {
        List<Event> out = new ArrayList<>();
        if (j.enqueuedAt() != null) out.add(new Event(j.enqueuedAt(), "enqueued"));
        if (j.scheduledAt() != null && !j.scheduledAt().equals(j.enqueuedAt()))
            out.add(new Event(j.scheduledAt(), "due"));
        for (JobError e : j.errors()) out.add(new Event(e.at(), "attempt " + e.attempt() + " failed: " + e.type()));
        if (j.startedAt() != null) out.add(new Event(j.startedAt(), "attempt " + j.attempt() + " started"));
        if (j.finishedAt() != null)
            out.add(new Event(j.finishedAt(), j.state().name().toLowerCase()));
        out.removeIf(e -> e.at == null);
        out.sort(Comparator.comparing(Event::at));
        return out;
    }

    private static String pretty(String json) {
        if (json == null) return "null";
        try {
            JsonNode n = JsonCodec.shared().mapper().readTree(json);
            return JsonCodec.shared().mapper().writerWithDefaultPrettyPrinter().writeValueAsString(n);
        } catch (java.io.IOException e) {
            return json;
        }
    }
}
