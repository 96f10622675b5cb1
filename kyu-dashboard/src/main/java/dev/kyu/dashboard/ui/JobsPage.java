package dev.kyu.dashboard.ui;

import dev.kyu.dashboard.DashboardContext;
import dev.kyu.dashboard.api.JobsApi;
import dev.kyu.dashboard.http.Request;
import dev.kyu.dashboard.http.Response;
import dev.kyu.dashboard.http.Router;
import dev.kyu.job.Job;
import dev.kyu.job.JobError;
import dev.kyu.job.JobState;
import dev.kyu.spi.JobQuery;
import java.time.Instant;

/** Jobs: filter by state, queue, task and text; newest first; paging by cursor (see {@link Pager}). */
public final class JobsPage {
    private final DashboardContext ctx;
    private final Layout layout;

    public JobsPage(DashboardContext ctx, Layout layout) {
        this.ctx = ctx;
        this.layout = layout;
    }

    public void routes(Router router) {
        router.get("/jobs", this::render);
    }

    private Response render(Request r) {
        JobQuery q = JobsApi.query(r);
        JobsApi.Page page = JobsApi.page(ctx, q);
        Instant now = ctx.admin().now();
        StringBuilder b = new StringBuilder("<h1>Jobs</h1><form method=\"get\" action=\"/jobs\" class=\"filters\">")
                .append("<label>State <select name=\"state\"><option value=\"\">any</option>");
        for (JobState s : JobState.values()) {
            b.append("<option")
                    .append(s == q.state() ? " selected" : "")
                    .append('>')
                    .append(s.name())
                    .append("</option>");
        }
        b.append("</select></label>")
                .append(field("queue", "Queue", q.queue()))
                .append(field("task", "Task", q.task()))
                .append(field("text", "Text", q.text()))
                .append("<button type=\"submit\">Filter</button> <a href=\"/jobs\">clear</a></form>");
        if (q.state() == JobState.FAILED && !ctx.options().readOnly()) {
            String path = q.queue() == null
                    ? "/api/jobs/retry-failed"
                    : "/api/queues/" + Html.url(q.queue()) + "/retry-failed";
            String next = "/jobs?state=FAILED" + (q.queue() == null ? "" : "&queue=" + Html.url(q.queue()));
            b.append("<p>")
                    .append(layout.action(
                            r,
                            path,
                            "Retry all failed" + (q.queue() == null ? "" : " in " + q.queue()),
                            next,
                            "Retry every failed job" + (q.queue() == null ? "" : " of queue " + q.queue()) + "?",
                            ""))
                    .append("</p>");
        }
        if (page.jobs().isEmpty()) {
            b.append("<p class=\"empty\">No jobs match.</p>");
        } else {
            b.append(
                    "<table class=\"jobs\"><thead><tr><th>Id</th><th>Task</th><th>Queue</th><th>State</th><th class=\"n\">Attempt</th>"
                            + "<th>Enqueued</th><th>Args</th><th>Last error</th></tr></thead><tbody>");
            for (Job j : page.jobs()) {
                JobError e = j.error();
                b.append("<tr data-job=\"")
                        .append(Html.esc(j.id()))
                        .append("\"><td><a class=\"job-link\" href=\"/jobs/")
                        .append(Html.esc(j.id()))
                        .append("\"><code>")
                        .append(Html.esc(j.id()))
                        .append("</code></a></td><td>")
                        .append(Html.esc(j.task()))
                        .append("</td><td>")
                        .append(Html.esc(j.queue()))
                        .append("</td><td>")
                        .append(Html.state(j.state()))
                        .append(ProgressBar.html(j.progress()))
                        .append("</td><td class=\"n\">")
                        .append(j.attempt())
                        .append('/')
                        .append(j.maxAttempts())
                        .append("</td><td>")
                        .append(Html.ago(j.enqueuedAt(), now))
                        .append("</td><td class=\"args\"><code>")
                        .append(Html.esc(shorten(j.args(), 80)))
                        .append("</code></td><td class=\"err\">")
                        .append(e == null ? "" : Html.esc(shorten(e.type() + ": " + e.message(), 120)))
                        .append("</td></tr>");
            }
            b.append("</tbody></table>");
        }
        b.append("<nav class=\"pager\">");
        Pager.newer(b, "/jobs", filters(q), q.limit(), q.offset(), q.after());
        Pager.shown(b, q.offset(), q.after(), page.jobs().size());
        Pager.older(b, "/jobs", filters(q), q.limit(), page.next());
        b.append("</nav>");
        return layout.page(r, "/jobs", "Jobs", b.toString());
    }

    private static String field(String name, String label, String value) {
        return "<label>" + label + " <input type=\"search\" name=\"" + name + "\" value=\"" + Html.esc(value)
                + "\"></label>";
    }

    /** The filters of a listing as query parameters, each one {@code &name=value}, for the pager's links. */
    private static String filters(JobQuery q) {
        StringBuilder b = new StringBuilder();
        if (q.state() != null) b.append("&state=").append(q.state().name());
        if (q.queue() != null) b.append("&queue=").append(Html.url(q.queue()));
        if (q.task() != null) b.append("&task=").append(Html.url(q.task()));
        if (q.text() != null) b.append("&text=").append(Html.url(q.text()));
        return b.toString();
    }

    static String shorten(String s, int max) {
        if (s == null) return "";
        return s.length() <= max ? s : s.substring(0, max) + "…";
    }
}
