package dev.kyu.dashboard.api;

import dev.kyu.dashboard.DashboardContext;
import dev.kyu.dashboard.http.Response;
import dev.kyu.dashboard.http.Router;

/** {@code GET /metrics}: the Prometheus text format, broker gauges read fresh for each scrape. */
public final class MetricsEndpoint {
    private final DashboardContext ctx;

    public MetricsEndpoint(DashboardContext ctx) {
        this.ctx = ctx;
    }

    public void routes(Router router) {
        router.get("/metrics", r -> {
            ctx.metrics().refresh();
            return Response.text(
                    200,
                    "text/plain; version=0.0.4; charset=utf-8",
                    ctx.prometheus().scrape());
        });
    }
}
