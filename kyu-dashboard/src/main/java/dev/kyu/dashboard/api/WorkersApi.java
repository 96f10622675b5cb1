package dev.kyu.dashboard.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kyu.codec.JobJson;
import dev.kyu.dashboard.DashboardContext;
import dev.kyu.dashboard.http.Response;
import dev.kyu.dashboard.http.Router;
import dev.kyu.spi.WorkerInfo;
import java.time.Duration;
import java.time.Instant;

/** {@code /api/workers}: the worker registry, with each heartbeat's age. */
public final class WorkersApi {
    private final DashboardContext ctx;

    public WorkersApi(DashboardContext ctx) {
        this.ctx = ctx;
    }

    public void routes(Router router) {
        router.get("/api/workers", r -> Response.json(list()));
    }

    ArrayNode list() {
        Instant now = ctx.admin().now();
        ArrayNode out = Json.array();
        for (WorkerInfo w : ctx.admin().workers()) out.add(worker(w, now));
        return out;
    }

    public static ObjectNode worker(WorkerInfo w, Instant now) {
        ObjectNode o = JobJson.worker(w);
        if (w.heartbeatAt() == null) o.putNull("heartbeatAgeMs");
        else
            o.put(
                    "heartbeatAgeMs",
                    Math.max(0, Duration.between(w.heartbeatAt(), now).toMillis()));
        return o;
    }
}
