package dev.kyu.dashboard.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kyu.codec.JobJson;
import dev.kyu.dashboard.DashboardContext;
import dev.kyu.dashboard.http.Request;
import dev.kyu.dashboard.http.Response;
import dev.kyu.dashboard.http.Router;
import dev.kyu.spi.QueueInfo;
import dev.kyu.task.Task;
import java.time.Duration;
import java.time.Instant;

/** {@code /api/queues}: every queue's counts and oldest waiting job; pause, resume, purge, retry its failed jobs. */
public final class QueuesApi {
    private final DashboardContext ctx;

    public QueuesApi(DashboardContext ctx) {
        this.ctx = ctx;
    }

    public void routes(Router router) {
        router.get("/api/queues", r -> Response.json(list()));
        router.post("/api/queues/{queue}/pause", r -> pause(r, true));
        router.post("/api/queues/{queue}/resume", r -> pause(r, false));
        router.post("/api/queues/{queue}/purge", this::purge);
        router.post("/api/queues/{queue}/retry-failed", this::retryFailed);
    }

    ArrayNode list() {
        Instant now = ctx.admin().now();
        ArrayNode out = Json.array();
        for (QueueInfo q : ctx.admin().queues()) out.add(queue(q, now));
        return out;
    }

    /** The shared queue shape plus the oldest waiting job's age in milliseconds (null when none waits). */
    public static ObjectNode queue(QueueInfo q, Instant now) {
        ObjectNode o = JobJson.queue(q);
        if (q.oldestQueuedAt() == null) o.putNull("oldestAgeMs");
        else
            o.put(
                    "oldestAgeMs",
                    Math.max(0, Duration.between(q.oldestQueuedAt(), now).toMillis()));
        return o;
    }

    private Response pause(Request r, boolean paused) throws Exception {
        String queue = Task.checkQueue(r.param("queue"));
        if (paused) ctx.admin().pause(queue);
        else ctx.admin().resume(queue);
        return Actions.done(r, Json.object().put("queue", queue).put("paused", paused));
    }

    private Response purge(Request r) throws Exception {
        String queue = Task.checkQueue(r.param("queue"));
        int n = ctx.admin().purge(queue);
        return Actions.done(r, Json.object().put("queue", queue).put("purged", n));
    }

    private Response retryFailed(Request r) throws Exception {
        String queue = Task.checkQueue(r.param("queue"));
        int n = ctx.admin().retryFailed(queue);
        return Actions.done(r, Json.object().put("queue", queue).put("retried", n));
    }
}
