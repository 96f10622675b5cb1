package dev.kyu.dashboard.ui;

import dev.kyu.dashboard.DashboardContext;
import dev.kyu.dashboard.http.Request;
import dev.kyu.dashboard.http.Response;
import dev.kyu.dashboard.http.Router;
import dev.kyu.spi.WorkerInfo;
import java.time.Instant;
import java.util.List;

/** Workers: host, pid, queues, concurrency, busy slots, heartbeat age, CPU, memory, jobs processed. */
public final class WorkersPage {
    private final DashboardContext ctx;
    private final Layout layout;

    public WorkersPage(DashboardContext ctx, Layout layout) {
        this.ctx = ctx;
        this.layout = layout;
    }

    public void routes(Router router) {
        router.get("/workers", this::render);
    }

    private Response render(Request r) {
        return layout.page(
                r,
                "/workers",
                "Workers",
                "<h1>Workers</h1>" + table(ctx.admin().workers(), ctx.admin().now()));
    }

    static String table(List<WorkerInfo> workers, Instant now) {
        if (workers.isEmpty())
            return "<p class=\"empty\">No workers are running. Start one with <code>kyu worker</code>.</p>";
        StringBuilder b = new StringBuilder(
                "<table class=\"workers\"><thead><tr><th>Worker</th><th>Host</th><th class=\"n\">PID</th>"
                        + "<th>Queues</th><th class=\"n\">Busy</th><th class=\"n\">Concurrency</th><th>Heartbeat</th><th class=\"n\">CPU</th>"
                        + "<th class=\"n\">Memory</th><th class=\"n\">Processed</th><th class=\"n\">Failed</th><th>Up</th></tr></thead><tbody>");
        for (WorkerInfo w : workers) {
            b.append("<tr><td><code>")
                    .append(Html.esc(w.id()))
                    .append("</code></td><td>")
                    .append(Html.esc(w.host()))
                    .append("</td><td class=\"n\">")
                    .append(w.pid())
                    .append("</td><td>")
                    .append(Html.esc(String.join(", ", w.queues())))
                    .append("</td><td class=\"n\">")
                    .append(w.busy())
                    .append("</td><td class=\"n\">")
                    .append(w.concurrency())
                    .append("</td><td>")
                    .append(Html.ago(w.heartbeatAt(), now))
                    .append("</td><td class=\"n\">")
                    .append(w.cpuLoad() < 0 ? "" : String.format("%.0f%%", w.cpuLoad() * 100))
                    .append("</td><td class=\"n\">")
                    .append(Html.bytes(w.memoryBytes()))
                    .append("</td><td class=\"n\">")
                    .append(w.processed())
                    .append("</td><td class=\"n\">")
                    .append(w.failed())
                    .append("</td><td>")
                    .append(OverviewPage.ageCell(w.startedAt(), now))
                    .append("</td></tr>");
        }
        return b.append("</tbody></table>").toString();
    }
}
