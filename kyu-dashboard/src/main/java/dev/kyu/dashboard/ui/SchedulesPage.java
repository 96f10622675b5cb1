package dev.kyu.dashboard.ui;

import dev.kyu.dashboard.DashboardContext;
import dev.kyu.dashboard.http.Request;
import dev.kyu.dashboard.http.Response;
import dev.kyu.dashboard.http.Router;
import dev.kyu.dashboard.schedule.ScheduleSource.ScheduleView;
import java.time.Instant;
import java.util.List;

/** Schedules: cron, zone, last and next fire; pause, resume, run now. */
public final class SchedulesPage {
    private final DashboardContext ctx;
    private final Layout layout;

    public SchedulesPage(DashboardContext ctx, Layout layout) {
        this.ctx = ctx;
        this.layout = layout;
    }

    public void routes(Router router) {
        router.get("/schedules", this::render);
    }

    private Response render(Request r) {
        StringBuilder b = new StringBuilder("<h1>Schedules</h1>");
        List<ScheduleView> all = ctx.schedules().list();
        if (!ctx.schedules().available()) {
            b.append("<p class=\"empty\">Periodic schedules are not configured in this process.</p>");
        } else if (all.isEmpty()) {
            b.append("<p class=\"empty\">No schedules. Define them in a schedule file and run <code>kyu beat</code> "
                    + "or <code>kyu worker --beat</code> (docs/scheduling.md).</p>");
        } else {
            Instant now = ctx.admin().now();
            b.append(
                    "<table class=\"schedules\"><thead><tr><th>Name</th><th>Task</th><th>Queue</th><th>When</th><th>Zone</th>"
                            + "<th>Last fire</th><th>Next fire</th><th>Status</th><th>Actions</th></tr></thead><tbody>");
            for (ScheduleView s : all) {
                String base = "/api/schedules/" + Html.url(s.name());
                b.append("<tr><td>")
                        .append(Html.esc(s.name()))
                        .append("</td><td>")
                        .append(Html.esc(s.task()))
                        .append("</td><td>")
                        .append(Html.esc(s.queue()))
                        .append("</td><td><code>")
                        .append(Html.esc(s.cron()))
                        .append("</code></td><td>")
                        .append(Html.esc(s.zone()))
                        .append("</td><td>")
                        .append(Html.time(s.lastFire()))
                        .append(' ')
                        .append(s.lastFire() == null ? "" : "<small>(" + Html.ago(s.lastFire(), now) + ")</small>")
                        .append("</td><td>")
                        .append(Html.time(s.nextFire()))
                        .append("</td><td>")
                        .append(s.paused() ? "<span class=\"badge paused\">paused</span>" : "active")
                        .append("</td><td class=\"actions\">")
                        .append(
                                s.paused()
                                        ? layout.action(r, base + "/resume", "Resume", "/schedules", null, "")
                                        : layout.action(r, base + "/pause", "Pause", "/schedules", null, ""))
                        .append(layout.action(r, base + "/run", "Run now", "/schedules", null, ""))
                        .append("</td></tr>");
            }
            b.append("</tbody></table>");
        }
        return layout.page(r, "/schedules", "Schedules", b.toString());
    }
}
