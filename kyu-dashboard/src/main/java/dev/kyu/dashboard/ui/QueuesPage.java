package dev.kyu.dashboard.ui;

import dev.kyu.dashboard.DashboardContext;
import dev.kyu.dashboard.http.Request;
import dev.kyu.dashboard.http.Response;
import dev.kyu.dashboard.http.Router;
import dev.kyu.job.JobState;
import dev.kyu.spi.QueueInfo;
import java.time.Instant;
import java.util.List;

/** Queues: depth by state, age of the oldest waiting job, pause/resume, purge, retry failed. */
public final class QueuesPage {
    private final DashboardContext ctx;
    private final Layout layout;

    public QueuesPage(DashboardContext ctx, Layout layout) {
        this.ctx = ctx;
        this.layout = layout;
    }

    public void routes(Router router) {
        router.get("/queues", this::render);
    }

    private Response render(Request r) {
        String main =
                "<h1>Queues</h1>" + table(r, ctx.admin().queues(), ctx.admin().now(), layout, true);
        return layout.page(r, "/queues", "Queues", main);
    }

    static String table(Request r, List<QueueInfo> queues, Instant now, Layout layout, boolean actions) {
        if (queues.isEmpty()) return "<p class=\"empty\">No queues yet: enqueue a job and it shows up here.</p>";
        StringBuilder b = new StringBuilder("<table class=\"queues\"><thead><tr><th>Queue</th>");
        for (JobState s : JobState.values())
            b.append("<th class=\"n\">").append(s.name()).append("</th>");
        b.append("<th>Oldest waiting</th><th>Status</th>")
                .append(actions ? "<th>Actions</th>" : "")
                .append("</tr></thead><tbody>");
        for (QueueInfo q : queues) {
            String name = Html.esc(q.queue());
            String enc = Html.url(q.queue());
            b.append("<tr data-queue=\"")
                    .append(name)
                    .append("\"><td><a href=\"/jobs?queue=")
                    .append(enc)
                    .append("\">")
                    .append(name)
                    .append("</a></td>");
            for (JobState s : JobState.values()) {
                b.append("<td class=\"n\"><a href=\"/jobs?queue=")
                        .append(enc)
                        .append("&amp;state=")
                        .append(s.name())
                        .append("\">")
                        .append(q.count(s))
                        .append("</a></td>");
            }
            b.append("<td>")
                    .append(OverviewPage.ageCell(q.oldestQueuedAt(), now))
                    .append("</td><td>")
                    .append(q.paused() ? "<span class=\"badge paused\">paused</span>" : "active")
                    .append("</td>");
            if (actions) {
                String base = "/api/queues/" + enc;
                b.append("<td class=\"actions\">")
                        .append(
                                q.paused()
                                        ? layout.action(r, base + "/resume", "Resume", "/queues", null, "")
                                        : layout.action(r, base + "/pause", "Pause", "/queues", null, ""))
                        .append(
                                q.count(JobState.FAILED) > 0
                                        ? layout.action(r, base + "/retry-failed", "Retry failed", "/queues", null, "")
                                        : "")
                        .append(layout.action(
                                r,
                                base + "/purge",
                                "Purge",
                                "/queues",
                                "Delete every waiting job of queue " + q.queue() + "?",
                                "danger"))
                        .append("</td>");
            }
            b.append("</tr>");
        }
        return b.append("</tbody></table>").toString();
    }
}
