package dev.kyu.dashboard;

import com.sun.net.httpserver.HttpServer;
import dev.kyu.Kyu;
import dev.kyu.KyuException;
import dev.kyu.dashboard.http.JdkExchange;
import dev.kyu.dashboard.schedule.BrokerSchedules;
import dev.kyu.dashboard.schedule.ScheduleSource;
import dev.kyu.metrics.KyuMetrics;
import dev.kyu.schedule.ScheduleAdmin;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard: web pages, the JSON API under {@code /api} and Prometheus {@code /metrics}, served by the
 * JDK's HTTP server on virtual threads. It reads and acts only through {@link dev.kyu.client.Admin} and
 * enqueues through {@link Kyu#enqueueJson}, so it works the same on every engine. Embedding is one call
 * (to serve it inside a server the application already runs, see {@link MountedDashboard}):
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
    private final MountedDashboard mounted;

    private Dashboard(HttpServer server, ExecutorService threads, String url, MountedDashboard mounted) {
        this.server = server;
        this.threads = threads;
        this.url = url;
        this.mounted = mounted;
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
            throw new KyuException.InvalidInput(
                    "refusing to serve the dashboard on non-loopback address " + options.bind()
                            + " without credentials: give --user and --password, or --token, or bind to 127.0.0.1");
        }
        MountedDashboard mounted = MountedDashboard.create(kyu, options, schedules);
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(address, options.port()), 64);
        } catch (IOException e) {
            mounted.close();
            throw new KyuException.InvalidInput(
                    "cannot listen on " + options.bind() + ":" + options.port() + ": " + e.getMessage(), e);
        }
        ExecutorService threads = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("kyu-dashboard-", 0).factory());
        server.setExecutor(threads);
        String base = options.basePath();
        server.createContext("/", exchange -> mounted.serve(new JdkExchange(exchange, base)));
        server.start();
        String host = address.getHostAddress().contains(":")
                ? "[" + address.getHostAddress() + "]"
                : address.getHostAddress();
        String url = "http://" + host + ":" + server.getAddress().getPort() + base + "/";
        log.info(
                "dashboard at {} on {}{}",
                url,
                kyu.admin().brokerDescription(),
                options.readOnly() ? " (read-only)" : "");
        return new Dashboard(server, threads, url, mounted);
    }

    private static InetAddress resolve(String bind) {
        try {
            return InetAddress.getByName(bind);
        } catch (UnknownHostException e) {
            throw new KyuException.InvalidInput("unknown dashboard bind address '" + bind + "'");
        }
    }

    /** The base URL, ending in a slash: {@code http://127.0.0.1:5555/}, or {@code http://127.0.0.1:5555/kyu/} under a base path. */
    public String url() {
        return url;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The meters behind {@code /metrics}: this Kyu's enqueues and its workers' outcomes are counted from the start. */
    public PrometheusMeterRegistry prometheus() {
        return mounted.prometheus();
    }

    public KyuMetrics metrics() {
        return mounted.metrics();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
        mounted.close();
    }
}
