package dev.kyu.dashboard.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kyu.dashboard.DashboardContext;
import dev.kyu.dashboard.http.Response;
import dev.kyu.dashboard.http.Router;
import dev.kyu.job.JobState;
import dev.kyu.spi.QueueInfo;
import dev.kyu.spi.WorkerInfo;
import java.time.Instant;
import java.util.List;

/** {@code /api/overview}: the numbers on the overview page in one answer. */
public final class OverviewApi {
    private final DashboardContext ctx;

    public OverviewApi(DashboardContext ctx) {
        this.ctx = ctx;
    }

    public void routes(Router router) {
        router.get("/api/overview", r -> Response.json(overview()));
    }

    ObjectNode overview() {
        Instant now = ctx.admin().now();
        List<QueueInfo> queues = ctx.admin().queues();
        List<WorkerInfo> workers = ctx.admin().workers();
        ObjectNode out = Json.object();
        out.put("broker", ctx.admin().brokerDescription());
        out.put("now", now.toString());
        out.put("readOnly", ctx.options().readOnly());
        ObjectNode totals = out.putObject("totals");
        for (JobState s : JobState.values())
            totals.put(s.name(), queues.stream().mapToLong(q -> q.count(s)).sum());
        ArrayNode qs = out.putArray("queues");
        queues.forEach(q -> qs.add(QueuesApi.queue(q, now)));
        ObjectNode w = out.putObject("workers");
        w.put("count", workers.size());
        w.put("concurrency", workers.stream().mapToInt(WorkerInfo::concurrency).sum());
        w.put("busy", workers.stream().mapToInt(WorkerInfo::busy).sum());
        return out;
    }
}
