package dev.kyu.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kyu.Kyu;
import dev.kyu.codec.JsonCodec;
import dev.kyu.worker.JobListener;
import dev.kyu.worker.Worker;
import dev.kyu.worker.WorkerOptions;
import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A real dashboard on a free loopback port over a private {@code memory:} broker, with an HTTP client that
 * keeps cookies like a browser, and helpers to run a worker. Close it after each test.
 */
final class DashboardFixture implements AutoCloseable {
    final Kyu kyu;
    final Dashboard dashboard;
    final HttpClient http;
    private final List<Worker> workers = new ArrayList<>();
    private String csrf;

    DashboardFixture(UnaryOperator<DashboardOptions.Builder> options, JobListener... listeners) {
        this(options, null, listeners);
    }

    /** With {@code schedules} null, the dashboard's default: the schedules stored in the broker. */
    DashboardFixture(
            UnaryOperator<DashboardOptions.Builder> options,
            dev.kyu.dashboard.schedule.ScheduleSource schedules,
            JobListener... listeners) {
        var b = Kyu.builder().broker("memory:");
        for (JobListener l : listeners) b.listener(l);
        this.kyu = b.build();
        this.dashboard = schedules == null
                ? Dashboard.start(
                        kyu, options.apply(DashboardOptions.builder().port(0)).build())
                : Dashboard.start(
                        kyu, options.apply(DashboardOptions.builder().port(0)).build(), schedules);
        this.http = HttpClient.newBuilder()
                .cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    DashboardFixture() {
        this(o -> o);
    }

    URI uri(String path) {
        return URI.create(dashboard.url()).resolve(path);
    }

    HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new RuntimeException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeException(e);
        }
    }

    HttpResponse<String> get(String path, String... headers) {
        var r = HttpRequest.newBuilder(uri(path)).GET();
        if (headers.length > 0) r.headers(headers);
        return send(r);
    }

    JsonNode getJson(String path) {
        var r = get(path);
        if (r.statusCode() != 200) throw new AssertionError("GET " + path + " -> " + r.statusCode() + " " + r.body());
        return json(r.body());
    }

    /** The session's CSRF token, read once through /api/csrf (which also sets the cookie). */
    String csrf() {
        if (csrf == null) csrf = getJson("/api/csrf").get("token").asText();
        return csrf;
    }

    /** A JSON POST the way the dashboard's own script sends it: cookie plus token header. */
    HttpResponse<String> post(String path, String jsonBody) {
        return send(HttpRequest.newBuilder(uri(path))
                .header("Content-Type", "application/json")
                .header("X-Kyu-CSRF", csrf())
                .POST(
                        jsonBody == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(jsonBody)));
    }

    HttpResponse<String> post(String path) {
        return post(path, null);
    }

    static JsonNode json(String text) {
        try {
            return JsonCodec.shared().mapper().readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    Worker worker(String... queues) {
        var o = WorkerOptions.builder()
                .concurrency(4)
                .fetchWait(Duration.ofMillis(100))
                .shutdownGrace(Duration.ofSeconds(2));
        if (queues.length > 0) o.queues(queues);
        Worker w = kyu.worker(o.build()).start();
        workers.add(w);
        return w;
    }

    @Override
    public void close() {
        workers.forEach(Worker::close);
        dashboard.close();
        kyu.close();
    }
}
