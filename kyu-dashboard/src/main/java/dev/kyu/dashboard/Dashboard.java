package dev.kyu.dashboard;

import com.sun.net.httpserver.HttpServer;
import dev.kyu.Kyu;
import dev.kyu.KyuException;
import dev.kyu.dashboard.api.CsrfApi;
import dev.kyu.dashboard.api.JobsApi;
import dev.kyu.dashboard.api.MetricsEndpoint;
import dev.kyu.dashboard.api.OverviewApi;
import dev.kyu.dashboard.api.QueuesApi;
import dev.kyu.dashboard.api.SchedulesApi;
import dev.kyu.dashboard.api.StatsApi;
import dev.kyu.dashboard.api.WorkersApi;
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
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard: web pages, the JSON API under {@code /api} and Prometheus {@code /metrics}, served by the
 * JDK's HTTP server on virtual threads. It reads and acts only through {@link dev.kyu.client.Admin} and
 * enqueues through {@link Kyu#enqueueJson}, so it works the same on every engine. Embedding is one call:
 *
 * <pre>{@code
 * try (Dashboard d = Dashboard.start(kyu, DashboardOptions.defaults())) {
 *     System.out.println("dashboard at " + d.url());
 * }
 * }</pre>
 */
public final class Dashboard implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Dashboard.class);

    private final HttpServer server;
    private final ExecutorService threads;
    private final String url;
    private final DashboardContext context;
    private final Runnable unbindMetrics;

    private Dashboard(HttpServer server, ExecutorService threads, String url, DashboardContext context, Runnable unbindMetrics) {
        this.server = server;
        this.threads = threads;
        this.url = url;
        this.context = context;
        this.unbindMetrics = unbindMetrics;
    }

    /** Starts serving, with the periodic schedules stored in the broker on the schedules page. */
    public static Dashboard start(Kyu kyu, DashboardOptions options) {
        return start(kyu, options, new BrokerSchedules(new ScheduleAdmin(kyu.broker(), null, kyu.tasks())));
    }

    /**
     * Starts serving. Refuses a non-loopback bind without credentials, and a port already in use, with a
     * one-line {@link KyuException.InvalidInput}.
     */
    public static Dashboard start(Kyu kyu, DashboardOptions options, ScheduleSource schedules) {
        InetAddress address = resolve(options.bind());
        if (!address.isLoopbackAddress() && !options.hasCredentials()) {
            throw new KyuException.InvalidInput("refusing to serve the dashboard on non-loopback address " + options.bind()
                    + " without credentials: give --user and --password, or --token, or bind to 127.0.0.1");
        }
        PrometheusMeterRegistry prometheus = options.prometheus() != null ? options.prometheus() : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
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
        new StaticAssets().routes(router);
        new OverviewApi(ctx).routes(router);
        new QueuesApi(ctx).routes(router);
        new JobsApi(ctx).routes(router);
        new dev.kyu.dashboard.api.WorkflowsApi(ctx).routes(router);
        new WorkersApi(ctx).routes(router);
        new StatsApi(ctx).routes(router);
        new SchedulesApi(ctx).routes(router);
        new CsrfApi().routes(router);
        new MetricsEndpoint(ctx).routes(router);

        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(address, options.port()), 64);
        } catch (IOException e) {
            unbind.run();
            throw new KyuException.InvalidInput("cannot listen on " + options.bind() + ":" + options.port() + ": " + e.getMessage(), e);
        }
        ExecutorService threads = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("kyu-dashboard-", 0).factory());
        server.setExecutor(threads);
        server.createContext("/", router);
        server.start();
        String host = address.getHostAddress().contains(":") ? "[" + address.getHostAddress() + "]" : address.getHostAddress();
        String url = "http://" + host + ":" + server.getAddress().getPort() + "/";
        log.info("dashboard at {} on {}{}", url, kyu.admin().brokerDescription(), options.readOnly() ? " (read-only)" : "");
        return new Dashboard(server, threads, url, ctx, unbind);
    }

    private static InetAddress resolve(String bind) {
        try {
            return InetAddress.getByName(bind);
        } catch (UnknownHostException e) {
            throw new KyuException.InvalidInput("unknown dashboard bind address '" + bind + "'");
        }
    }

    /** The base URL, ending in a slash: {@code http://127.0.0.1:5555/}. */
    public String url() {
        return url;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The meters behind {@code /metrics}: this Kyu's enqueues and its workers' outcomes are counted from the start. */
    public PrometheusMeterRegistry prometheus() {
        return context.prometheus();
    }

    public KyuMetrics metrics() {
        return context.metrics();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
        unbindMetrics.run();
    }
}
