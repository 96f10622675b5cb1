package dev.kyu.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.kyu.Kyu;
import dev.kyu.KyuException;
import dev.kyu.metrics.KyuMetrics;
import dev.kyu.worker.Worker;
import dev.kyu.worker.WorkerStatus;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker's HTTP endpoint, what {@code kyu worker --http-port P} serves:
 * <ul>
 *   <li>{@code GET /metrics}: Prometheus text with the job meters of {@link KyuMetrics} (this process's
 *       outcomes, and the broker's gauges), the worker's own ({@link WorkerMeters}) and the JVM's and the
 *       process's (memory, GC, threads, CPU, uptime, open files);</li>
 *   <li>{@code GET /health/live}: 200 while the process serves at all;</li>
 *   <li>{@code GET /health/ready}: 200 while the worker runs, its last fetch reached the broker and the
 *       broker answers now; 503 otherwise (a broker outage, a stopping worker).</li>
 * </ul>
 * <pre>{@code
 * Worker worker = kyu.worker(options).start();
 * try (var http = WorkerEndpoint.start(kyu, worker, WorkerEndpointOptions.onPort(9400))) { … }
 * }</pre>
 */
public final class WorkerEndpoint implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WorkerEndpoint.class);
    /** A readiness probe asks the broker at most this often; probes in between reuse the answer. */
    private static final Duration PING_EVERY = Duration.ofSeconds(1);
    /** A broker that has not answered a readiness ping by then counts as unreachable. */
    private static final Duration PING_DEADLINE = Duration.ofSeconds(2);

    private final HttpServer server;
    private final ExecutorService threads;
    private final Kyu kyu;
    private final Worker worker;
    private final PrometheusMeterRegistry registry;
    private final KyuMetrics metrics;
    /** The metrics listener this endpoint added to the Kyu (removed at close), or null when the application's. */
    private final KyuMetrics ownMetrics;

    private final String token;
    private final String url;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final BrokerPing ping;

    private WorkerEndpoint(
            HttpServer server,
            ExecutorService threads,
            Kyu kyu,
            Worker worker,
            PrometheusMeterRegistry registry,
            KyuMetrics ownMetrics,
            KyuMetrics metrics,
            String token,
            String url) {
        this.ownMetrics = ownMetrics;
        this.server = server;
        this.threads = threads;
        this.kyu = kyu;
        this.worker = worker;
        this.registry = registry;
        this.metrics = metrics;
        this.token = token;
        this.url = url;
        this.ping = new BrokerPing(kyu.broker(), PING_DEADLINE, PING_EVERY);
    }

    /** Serves with a Prometheus registry of its own. */
    public static WorkerEndpoint start(Kyu kyu, Worker worker, WorkerEndpointOptions options) {
        return start(kyu, worker, options, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    /**
     * Serves {@code registry}, binding Kyu's, the worker's and the JVM's meters into it. Refuses a
     * non-loopback bind without a token, and a port in use, with a one-line {@link KyuException.InvalidInput}.
     */
    public static WorkerEndpoint start(
            Kyu kyu, Worker worker, WorkerEndpointOptions options, PrometheusMeterRegistry registry) {
        InetAddress address = resolve(options.bind());
        if (!address.isLoopbackAddress() && options.token() == null) {
            throw new KyuException.InvalidInput("refusing to serve worker metrics on non-loopback address "
                    + options.bind() + " without a token (--http-token-file, or KYU_HTTP_TOKEN)");
        }
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(address, options.port()), 64);
        } catch (BindException e) {
            throw new KyuException.InvalidInput(
                    "cannot serve on " + options.bind() + ":" + options.port() + ": " + e.getMessage());
        } catch (IOException e) {
            throw new KyuException.InvalidInput("cannot serve on " + options.bind() + ":" + options.port() + ": " + e);
        }
        // A KyuMetrics the application registered itself outlives the endpoint; one the endpoint adds does not.
        boolean ownsMetrics =
                kyu.listeners().stream().noneMatch(l -> l instanceof KyuMetrics m && m.registry() == registry);
        KyuMetrics metrics = KyuMetrics.bind(kyu, registry);
        WorkerMeters.bind(worker, registry);
        String host = address.getHostAddress().contains(":")
                ? "[" + address.getHostAddress() + "]"
                : address.getHostAddress();
        String url = "http://" + host + ":" + server.getAddress().getPort();
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        var endpoint = new WorkerEndpoint(
                server, threads, kyu, worker, registry, ownsMetrics ? metrics : null, metrics, options.token(), url);
        endpoint.bindJvm();
        server.setExecutor(threads);
        server.createContext("/", endpoint::handle);
        server.start();
        log.info("worker HTTP endpoint at {} (/metrics, /health/live, /health/ready)", url);
        return endpoint;
    }

    private void bindJvm() {
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
    }

    /** The base URL, e.g. {@code http://127.0.0.1:9400}. */
    public String url() {
        return url;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD")) {
                send(ex, 405, "text/plain; charset=utf-8", "method not allowed\n");
                return;
            }
            switch (ex.getRequestURI().getPath()) {
                case "/metrics" -> {
                    if (!authorized(ex)) {
                        ex.getResponseHeaders().set("WWW-Authenticate", "Bearer");
                        send(ex, 401, "text/plain; charset=utf-8", "a bearer token is needed\n");
                        return;
                    }
                    metrics.refresh();
                    send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
                }
                case "/health/live" -> send(ex, 200, "application/json", "{\"status\":\"UP\"}\n");
                case "/health/ready" -> ready(ex);
                default ->
                    send(ex, 404, "text/plain; charset=utf-8", "not found: /metrics, /health/live, /health/ready\n");
            }
        } catch (RuntimeException e) {
            log.warn(
                    "worker HTTP endpoint: {} {} failed: {}",
                    ex.getRequestMethod(),
                    ex.getRequestURI().getPath(),
                    e.toString());
        }
    }

    private void ready(HttpExchange ex) throws IOException {
        WorkerStatus s = worker.status();
        boolean brokerUp = ping.up();
        boolean ready = s.ready() && brokerUp;
        String reason = !s.running() ? "worker not running" : !brokerUp || !s.fetching() ? "broker unreachable" : "";
        String body = "{\"status\":\"" + (ready ? "UP" : "DOWN") + "\",\"worker\":" + quote(s.workerId()) + ",\"busy\":"
                + s.busy() + ",\"concurrency\":" + s.concurrency() + (ready ? "" : ",\"reason\":\"" + reason + "\"")
                + "}\n";
        send(ex, ready ? 200 : 503, "application/json", body);
    }

    private boolean authorized(HttpExchange ex) {
        if (token == null) return true;
        String h = ex.getRequestHeaders().getFirst("Authorization");
        if (h == null || !h.startsWith("Bearer ")) return false;
        return MessageDigest.isEqual(
                h.substring(7).trim().getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8));
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) ex.getResponseBody().write(bytes);
    }

    private static InetAddress resolve(String bind) {
        try {
            return InetAddress.getByName(bind);
        } catch (UnknownHostException e) {
            throw new KyuException.InvalidInput("unknown bind address " + bind);
        }
    }

    /** Stops serving; the worker and Kyu stay as they are. */
    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
        gc.close();
        if (ownMetrics != null) kyu.unlisten(ownMetrics);
    }
}
