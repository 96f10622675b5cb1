package dev.kyu.dashboard.ui;

import dev.kyu.dashboard.DashboardContext;
import dev.kyu.dashboard.api.WorkflowsApi;
import dev.kyu.dashboard.http.Request;
import dev.kyu.dashboard.http.Response;
import dev.kyu.dashboard.http.Router;
import dev.kyu.job.Job;
import dev.kyu.job.JobError;
import dev.kyu.workflow.WorkflowMeta;
import dev.kyu.workflow.WorkflowView;
import java.time.Instant;

/** One workflow: its state, its steps drawn as a graph and listed, its compensations, and Cancel. */
public final class WorkflowPage {
    /** The steps table lists at most this many; the API has them all. */
    private static final int MAX_ROWS = 1000;

    private final DashboardContext ctx;
    private final Layout layout;

    public WorkflowPage(DashboardContext ctx, Layout layout) {
        this.ctx = ctx;
        this.layout = layout;
    }

    public void routes(Router router) {
        router.get("/workflows/{id}", this::render);
    }

    private Response render(Request r) {
        String id = dev.kyu.job.JobIds.parse(r.param("id"));
        WorkflowView w = WorkflowsApi.find(ctx, id);
        Instant now = ctx.admin().now();
        String self = "/workflows/" + w.id();
        StringBuilder b = new StringBuilder("<h1>Workflow ")
                .append(Html.esc(w.name()))
                .append(' ')
                .append(Html.state(w.state()))
                .append("</h1><div class=\"actions job-actions\">");
        if (!w.state().isTerminal()) {
            b.append(layout.action(
                    r,
                    "/api/workflows/" + w.id() + "/cancel",
                    "Cancel",
                    self,
                    "Cancel every step of this workflow that has not ended?",
                    "danger"));
        }
        b.append("</div><dl class=\"fields\">");
        dt(b, "Id", "<code>" + Html.esc(w.id()) + "</code> · <a href=\"/jobs/" + Html.esc(w.id()) + "\">end job</a>");
        dt(b, "Enqueued", Html.time(w.enqueuedAt()) + " (" + Html.esc(Html.ago(w.enqueuedAt(), now)) + ")");
        if (w.finishedAt() != null) dt(b, "Finished", Html.time(w.finishedAt()));
        if (!w.failed().isEmpty()) dt(b, "Failed steps", Html.esc(String.join(", ", w.failed())));
        b.append("</dl><h2>Steps</h2><div class=\"wf-scroll\">")
                .append(WorkflowGraph.svg(w))
                .append("</div>");
        steps(b, w, now);
        compensations(b, w, now);
        return layout.page(r, "/workflows", "Workflow " + w.name(), b.toString());
    }

    private static void steps(StringBuilder b, WorkflowView w, Instant now) {
        if (w.steps().isEmpty()) return;
        b.append(
                "<table class=\"jobs wf-steps\"><thead><tr><th>Step</th><th>Task</th><th>State</th><th class=\"n\">Attempt</th>"
                        + "<th>Finished</th><th>After</th><th>Error</th></tr></thead><tbody>");
        int shown = 0;
        for (var s : w.steps()) {
            if (shown++ == MAX_ROWS) break;
            row(b, s.name(), s.id(), s.task(), s.job(), String.join(", ", s.after()), now);
        }
        b.append("</tbody></table>");
        if (w.steps().size() > MAX_ROWS) {
            b.append("<p class=\"empty\">First ")
                    .append(MAX_ROWS)
                    .append(" of ")
                    .append(w.steps().size())
                    .append(" steps; <a href=\"/api/workflows/")
                    .append(Html.esc(w.id()))
                    .append("\">the API</a> lists them all.</p>");
        }
    }

    private static void compensations(StringBuilder b, WorkflowView w, Instant now) {
        if (w.compensations().isEmpty()) return;
        b.append(
                "<h2>Compensations</h2><table class=\"jobs wf-compensations\"><thead><tr><th>Compensates</th><th>Task</th><th>State</th>"
                        + "<th class=\"n\">Attempt</th><th>Finished</th><th>Job</th><th>Error</th></tr></thead><tbody>");
        for (var c : w.compensations()) row(b, c.step(), c.id(), c.task(), c.job(), null, now);
        b.append("</tbody></table>");
    }

    /** One step or compensation, linked to its job; {@code after} null puts the job id in that column. */
    private static void row(StringBuilder b, String name, String id, String task, Job j, String after, Instant now) {
        String link = "<a href=\"/jobs/" + Html.esc(id) + "\">";
        b.append("<tr><td>")
                .append(link)
                .append(Html.esc(name))
                .append("</a></td><td>")
                .append(Html.esc(task))
                .append("</td><td>")
                .append(j == null ? Html.state("GONE") : Html.state(j.state()))
                .append("</td><td class=\"n\">")
                .append(j == null ? "" : j.attempt() + " of " + j.maxAttempts())
                .append("</td><td>")
                .append(j == null || !j.state().isTerminal() ? "" : Html.esc(Html.ago(j.finishedAt(), now)))
                .append("</td><td>")
                .append(after == null ? link + "<code>" + Html.esc(id) + "</code></a>" : Html.esc(after))
                .append("</td><td class=\"err\">");
        JobError e = j == null ? null : j.error();
        // A skipped step's reason says it all ("skipped: step charge failed"); its type would only repeat it.
        if (e != null)
            b.append(Html.esc(JobsPage.shorten(
                    WorkflowMeta.SKIPPED.equals(e.type()) ? e.message() : e.type() + ": " + e.message(), 120)));
        b.append("</td></tr>");
    }

    private static void dt(StringBuilder b, String label, String html) {
        b.append("<dt>").append(label).append("</dt><dd>").append(html).append("</dd>");
    }
}
