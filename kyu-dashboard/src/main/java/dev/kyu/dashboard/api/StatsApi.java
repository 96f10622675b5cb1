package dev.kyu.dashboard.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kyu.dashboard.DashboardContext;
import dev.kyu.dashboard.http.Request;
import dev.kyu.dashboard.http.Response;
import dev.kyu.dashboard.http.Router;
import dev.kyu.spi.StatsBucket;
import dev.kyu.task.Task;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code /api/stats}: jobs finished per minute (succeeded, failed, retried) from the broker's own history,
 * so every dashboard process and every restart shows the same charts. Summed over queues unless one is named.
 */
public final class StatsApi {
    private final DashboardContext ctx;

    public StatsApi(DashboardContext ctx) {
        this.ctx = ctx;
    }

    public void routes(Router router) {
        router.get("/api/stats", r -> Response.json(stats(r)));
    }

    private ObjectNode stats(Request r) {
        int minutes = r.queryInt("minutes", 1440, 1, 1440);
        String queue = r.query("queue");
        if (queue != null) Task.checkQueue(queue);
        Instant now = ctx.admin().now();
        Instant since = now.truncatedTo(ChronoUnit.MINUTES).minus(minutes - 1, ChronoUnit.MINUTES);
        Map<Instant, long[]> sums = new TreeMap<>();
        for (StatsBucket b : ctx.admin().stats(since, queue)) {
            long[] s = sums.computeIfAbsent(b.minute(), m -> new long[3]);
            s[0] += b.succeeded();
            s[1] += b.failed();
            s[2] += b.retried();
        }
        ObjectNode out = Json.object();
        out.put("since", since.toString());
        out.put("now", now.toString());
        if (queue == null) out.putNull("queue");
        else out.put("queue", queue);
        out.put("minutes", minutes);
        ArrayNode buckets = out.putArray("buckets");
        long total = 0, failed = 0;
        for (var e : sums.entrySet()) {
            buckets.addObject()
                    .put("minute", e.getKey().toString())
                    .put("succeeded", e.getValue()[0])
                    .put("failed", e.getValue()[1])
                    .put("retried", e.getValue()[2]);
            total += e.getValue()[0] + e.getValue()[1];
            failed += e.getValue()[1];
        }
        out.put("processed", total);
        out.put("failed", failed);
        return out;
    }
}
