package dev.kyu.broker.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kyu.Kyu;
import dev.kyu.job.JobOptions;
import dev.kyu.ops.WorkerEndpoint;
import dev.kyu.ops.WorkerEndpointOptions;
import dev.kyu.worker.Worker;
import dev.kyu.worker.WorkerOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A worker's readiness across a broker outage: {@code /health/ready} answers 503 while the Redis server is
 * down and 200 again once it is back, {@code /health/live} stays 200, and work flows again afterwards.
 */
class RedisWorkerHealthTest {
    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void readyGoesDownDuringAnOutageAndUpAfter() throws Exception {
        try (var server = new RedisProcess(List.of("--appendonly", "yes", "--appendfsync", "always")).start()) {
            try (Kyu kyu = Kyu.connect(server.url() + "?timeout=1s&outage=60s")) {
                Worker worker = kyu.worker(
                                WorkerOptions.builder().concurrency(2).build())
                        .start();
                try (worker;
                        var endpoint = WorkerEndpoint.start(kyu, worker, WorkerEndpointOptions.onPort(0))) {
                    String base = endpoint.url();
                    await().atMost(Duration.ofSeconds(10)).until(() -> status(base + "/health/ready") == 200);

                    server.kill();
                    await().atMost(Duration.ofSeconds(20)).until(() -> status(base + "/health/ready") == 503);
                    assertThat(get(base + "/health/ready").body())
                            .contains("\"status\":\"DOWN\"", "broker unreachable");
                    assertThat(status(base + "/health/live")).isEqualTo(200);

                    server.start();
                    await().atMost(Duration.ofSeconds(30)).until(() -> status(base + "/health/ready") == 200);
                    var handle = kyu.enqueueJson("kyu.noop", "{}", JobOptions.NONE);
                    assertThat(handle.awaitJob(Duration.ofSeconds(20)).state())
                            .isEqualTo(dev.kyu.job.JobState.SUCCEEDED);
                }
            }
        }
    }

    int status(String url) throws Exception {
        return get(url).statusCode();
    }

    HttpResponse<String> get(String url) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
