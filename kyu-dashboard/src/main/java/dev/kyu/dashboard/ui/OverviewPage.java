package dev.kyu.dashboard.ui;

import dev.kyu.dashboard.DashboardContext;
import dev.kyu.dashboard.http.Request;
import dev.kyu.dashboard.http.Response;
import dev.kyu.dashboard.http.Router;
import dev.kyu.job.JobState;
import dev.kyu.spi.QueueInfo;
import dev.kyu.spi.WorkerInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** The overview: totals by state, the throughput and failure chart, queue depths and workers at a glance. */
public final class OverviewPage {
    private final DashboardContext ctx;
    private final Layout layout;

    public OverviewPage(DashboardContext ctx, Layout layout) {
        this.ctx = ctx;
        this.layout = layout;
    }

    public void routes(Router router) {
        router.get("/", this::render);
    }

    private Response render(Request r) {
        Instant now = ctx.admin().now();
        List<QueueInfo> queues = ctx.admin().queues();
        List<WorkerInfo> workers = ctx.admin().workers();
        StringBuilder b = new StringBuilder("<h1>Overview</h1><section class=\"cards\">");
        for (JobState s : JobState.values()) {
            long n = queues.stream().mapToLong(q -> q.count(s)).sum();
            b.append("<a class=\"card\" href=\"/jobs?state=")
                    .append(s.name())
                    .append("\"><span class=\"num\" id=\"total-")
                    .append(s.name())
                    .append("\">")
                    .append(n)
                    .append("</span>")
                    .append(Html.state(s))
                    .append("</a>");
        }
        int busy = workers.stream().mapToInt(WorkerInfo::busy).sum();
        int slots = workers.stream().mapToInt(WorkerInfo::concurrency).sum();
        b.append("<a class=\"card\" href=\"/workers\"><span class=\"num\">")
                .append(workers.size())
                .append("</span><span>workers · ")
                .append(busy)
                .append('/')
                .append(slots)
                .append(" busy</span></a>");
        var limits = dev.kyu.dashboard.api.LimitsApi.statuses(ctx.kyu().limits());
        if (!limits.isEmpty()) {
            long waiting = limits.stream()
                    .mapToLong(dev.kyu.flow.Limits.LimitStatus::waiting)
                    .sum();
            b.append("<a class=\"card\" href=\"/limits\"><span class=\"num\" id=\"limits-waiting\">")
                    .append(waiting)
                    .append("</span><span>waiting on ")
                    .append(limits.size())
                    .append(limits.size() == 1 ? " limit" : " limits")
                    .append("</span></a>");
        }
        b.append("</section>");

        b.append("<section><h2>Throughput and failures per minute</h2><div class=\"chart-controls\">")
                .append(
                        "<label>Queue <select class=\"chart-queue\" data-chart=\"main\"><option value=\"\">all queues</option>");
        for (QueueInfo q : queues)
            b.append("<option>").append(Html.esc(q.queue())).append("</option>");
        b.append("</select></label><label>Range <select class=\"chart-range\" data-chart=\"main\">")
                .append(
                        "<option value=\"60\">1 hour</option><option value=\"360\">6 hours</option><option value=\"1440\">24 hours</option></select></label>")
                .append(
                        "<span class=\"legend\"><i class=\"ok\"></i>succeeded <i class=\"bad\"></i>failed <i class=\"retry\"></i>retried</span></div>")
                .append(
                        "<canvas id=\"chart-main\" class=\"chart\" width=\"1000\" height=\"220\" data-stats=\"/api/stats\"></canvas>")
                .append("<p class=\"chart-summary\" id=\"chart-main-summary\"></p></section>");

        b.append("<section><h2>Queues</h2>")
                .append(QueuesPage.table(r, queues, now, layout, false))
                .append("</section>");
        b.append("<section><h2>Workers</h2>")
                .append(WorkersPage.table(workers, now))
                .append("</section>");
        return layout.page(r, "/", "Overview", b.toString());
    }

    static String ageCell(Instant since, Instant now) {
        return since == null ? "" : Html.age(Duration.between(since, now));
    }
}
