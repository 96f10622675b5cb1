package dev.kyu.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kyu.Kyu;
import dev.kyu.KyuException;
import dev.kyu.worker.Worker;
import dev.kyu.worker.WorkerOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The worker endpoint's guard: a token protects /metrics, the health checks answer anyone; a stopped worker is not ready. */
class WorkerEndpointTest {
    static final String TOKEN = "a-token-of-enough-length";
    final HttpClient http = HttpClient.newHttpClient();
    Kyu kyu;
    Worker worker;

    @BeforeEach
    void setUp() {
        kyu = Kyu.connect("memory:");
        worker = kyu.worker(WorkerOptions.builder().concurrency(2).build()).start();
    }

    @AfterEach
    void tearDown() {
        worker.close();
        kyu.close();
    }

    HttpResponse<String> get(String url, String bearer) throws Exception {
        var b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        if (bearer != null) b.header("Authorization", "Bearer " + bearer);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aTokenGuardsMetricsButNotHealth() throws Exception {
        try (var ep = WorkerEndpoint.start(
                kyu, worker, WorkerEndpointOptions.onPort(0).withToken(TOKEN))) {
            assertThat(get(ep.url() + "/metrics", null).statusCode()).isEqualTo(401);
            assertThat(get(ep.url() + "/metrics", "wrong-token-of-some-length").statusCode())
                    .isEqualTo(401);
            assertThat(get(ep.url() + "/metrics", TOKEN).body()).contains("kyu_worker_concurrency 2.0");
            assertThat(get(ep.url() + "/health/live", null).statusCode()).isEqualTo(200);
            assertThat(get(ep.url() + "/health/ready", null).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aStoppedWorkerIsNotReady() throws Exception {
        try (var ep = WorkerEndpoint.start(kyu, worker, WorkerEndpointOptions.onPort(0))) {
            worker.close();
            var r = get(ep.url() + "/health/ready", null);
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.body()).contains("\"reason\":\"worker not running\"");
            assertThat(get(ep.url() + "/health/live", null).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void closingTheEndpointStopsItsMetricsListener() {
        int before = kyu.listeners().size();
        WorkerEndpoint.start(kyu, worker, WorkerEndpointOptions.onPort(0)).close();
        assertThat(kyu.listeners()).hasSize(before);
    }

    @Test
    void badOptionsAreOneLine() {
        assertThatThrownBy(() -> WorkerEndpoint.start(
                        kyu, worker, WorkerEndpointOptions.onPort(0).withBind("0.0.0.0")))
                .isInstanceOf(KyuException.InvalidInput.class)
                .hasMessageContaining("without a token");
        assertThatThrownBy(() -> WorkerEndpointOptions.onPort(70_000))
                .hasMessage("HTTP port must be 0..65535, was 70000");
        assertThatThrownBy(() -> WorkerEndpointOptions.onPort(0).withToken("short"))
                .hasMessage("HTTP token must be at least 16 characters");
    }
}
