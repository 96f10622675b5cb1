package dev.kyu.dashboard;

import dev.kyu.Kyu;
import dev.kyu.dashboard.api.CsrfApi;
import dev.kyu.dashboard.api.JobsApi;
import dev.kyu.dashboard.api.MetricsEndpoint;
import dev.kyu.dashboard.api.OverviewApi;
import dev.kyu.dashboard.api.QueuesApi;
import dev.kyu.dashboard.api.SchedulesApi;
import dev.kyu.dashboard.api.StatsApi;
import dev.kyu.dashboard.api.WorkersApi;
import dev.kyu.dashboard.http.Exchange;
import dev.kyu.dashboard.http.Guard;
import dev.kyu.dashboard.http.Router;
import dev.kyu.dashboard.schedule.BrokerSchedules;
import dev.kyu.dashboard.schedule.ScheduleSource;
import dev.kyu.dashboard.ui.JobPage;
import dev.kyu.dashboard.ui.JobsPage;
import dev.kyu.dashboard.ui.Layout;
import dev.kyu.dashboard.ui.OverviewPage;
import dev.kyu.dashboard.ui.QueuesPage;
import dev.kyu.dashboard.ui.SchedulesPage;
import dev.kyu.dashboard.ui.StaticAssets;
import dev.kyu.dashboard.ui.WorkersPage;
import dev.kyu.metrics.KyuMetrics;
import dev.kyu.schedule.ScheduleAdmin;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.util.List;

/**
 * The dashboard without a server of its own: its pages, API and checks, answering the exchanges a host
 * server hands it ({@link #serve}). {@link Dashboard} runs one on the JDK's HTTP server; an application
 * server mounts one under a path of its own (the Spring Boot starter's servlet, {@code kyu.dashboard.path}),
 * with the same {@link Guard}: credentials or loopback only, CSRF, the Content-Security-Policy, read-only.
 * The {@code port} and {@code bind} of its options are not used here; its base comes from each exchange.
 */
public final class MountedDashboard implements AutoCloseable {
    private final Router router;
    private final DashboardContext context;
    private final Runnable unbindMetrics;

    private MountedDashboard(Router router, DashboardContext context, Runnable unbindMetrics) {
        this.router = router;
        this.context = context;
        this.unbindMetrics = unbindMetrics;
    }

    /** The dashboard with the periodic schedules stored in the broker on its schedules page. */
    public static MountedDashboard create(Kyu kyu, DashboardOptions options) {
        return create(kyu, options, new BrokerSchedules(new ScheduleAdmin(kyu.broker(), null, kyu.tasks())));
    }

    public static MountedDashboard create(Kyu kyu, DashboardOptions options, ScheduleSource schedules) {
        PrometheusMeterRegistry prometheus = options.prometheus() != null
                ? options.prometheus()
                : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // A KyuMetrics the application registered itself outlives the dashboard; one the dashboard adds does not.
        var listenersBefore = List.copyOf(kyu.listeners());
        KyuMetrics metrics = KyuMetrics.bind(kyu, prometheus);
        Runnable unbind = listenersBefore.contains(metrics) ? () -> {} : () -> kyu.unlisten(metrics);
        var ctx = new DashboardContext(kyu, kyu.admin(), options, prometheus, metrics, schedules);

        Router router = new Router(new Guard(options));
        var layout = new Layout(ctx);
        new OverviewPage(ctx, layout).routes(router);
        new QueuesPage(ctx, layout).routes(router);
        new JobsPage(ctx, layout).routes(router);
        new JobPage(ctx, layout).routes(router);
        new dev.kyu.dashboard.ui.WorkflowsPage(ctx, layout).routes(router);
        new dev.kyu.dashboard.ui.WorkflowPage(ctx, layout).routes(router);
        new WorkersPage(ctx, layout).routes(router);
        new SchedulesPage(ctx, layout).routes(router);
        new dev.kyu.dashboard.ui.LimitsPage(ctx, layout).routes(router);
        new StaticAssets().routes(router);
        new OverviewApi(ctx).routes(router);
        new QueuesApi(ctx).routes(router);
        new JobsApi(ctx).routes(router);
        new dev.kyu.dashboard.api.WorkflowsApi(ctx).routes(router);
        new WorkersApi(ctx).routes(router);
        new StatsApi(ctx).routes(router);
        new SchedulesApi(ctx).routes(router);
        new dev.kyu.dashboard.api.LimitsApi(ctx).routes(router);
        new CsrfApi().routes(router);
        new MetricsEndpoint(ctx).routes(router);
        return new MountedDashboard(router, ctx, unbind);
    }

    /** Answers one exchange: the guard's checks, the route, errors as one-line answers, URLs under the exchange's base. */
    public void serve(Exchange exchange) throws IOException {
        router.serve(exchange);
    }

    public DashboardOptions options() {
        return context.options();
    }

    public PrometheusMeterRegistry prometheus() {
        return context.prometheus();
    }

    public KyuMetrics metrics() {
        return context.metrics();
    }

    /** Stops counting into the dashboard's own meters (the Kyu and its broker stay open). */
    @Override
    public void close() {
        unbindMetrics.run();
    }
}
