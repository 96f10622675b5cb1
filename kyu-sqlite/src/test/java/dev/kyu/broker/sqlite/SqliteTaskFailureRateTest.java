package dev.kyu.broker.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.kyu.Kyu;
import dev.kyu.alert.AlertFile;
import dev.kyu.alert.Alerts;
import dev.kyu.job.Backoff;
import dev.kyu.job.JobOptions;
import dev.kyu.testkit.ManualClock;
import dev.kyu.worker.Worker;
import dev.kyu.worker.WorkerOptions;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A per-task failure-rate rule reads the task's jobs and their error times from a SQLite file through the query API. */
class SqliteTaskFailureRateTest {
    @TempDir
    Path dir;

    @Test
    void aTasksRetriedAndFinalFailuresFireItsRuleAndNotAnotherTasks() throws Exception {
        List<JsonNode> received = new CopyOnWriteArrayList<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        receiver.createContext("/hook", ex -> {
            try (ex) {
                received.add(new ObjectMapper().readTree(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
                ex.sendResponseHeaders(200, -1);
            }
        });
        receiver.start();
        var clock = new ManualClock(Instant.now());
        try (Kyu kyu = Kyu.connect("sqlite:" + dir.resolve("kyu.db"));
                Worker w = kyu.worker(WorkerOptions.builder().queues("shop").concurrency(4).build()).start();
                Alerts alerts = Alerts.of(kyu, AlertFile.parse("alerts.yaml", """
                        channels:
                          hook: { type: webhook, url: "http://127.0.0.1:%d/hook", secret: "a-secret-of-some-length" }
                        rules:
                          - { name: charge, when: failure-rate, task: kyu.fail, queue: shop, above: 50%%, min-attempts: 4, channels: [hook] }
                          - { name: echo, when: failure-rate, task: kyu.echo, above: 50%%, min-attempts: 1, channels: [hook] }
                        """.formatted(receiver.getAddress().getPort()), k -> null), clock)) {
            var retried = JobOptions.builder().queue("shop").maxAttempts(3).backoff(Backoff.fixed(Duration.ofMillis(10))).build();
            kyu.enqueueJson("kyu.fail", "{}", retried).awaitJob(Duration.ofSeconds(20)); // 3 failed attempts, the last one final
            kyu.enqueueJson("kyu.fail", "{\"times\": 0}", retried).awaitJob(Duration.ofSeconds(20)); // 1 succeeded attempt
            for (int i = 0; i < 3; i++) kyu.enqueueJson("kyu.echo", "{}", retried).awaitJob(Duration.ofSeconds(20));

            await().atMost(Duration.ofSeconds(20)).until(() -> {
                alerts.check();
                return !received.isEmpty();
            });
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> {
                alerts.check();
                return received.size() == 1;
            });
            assertThat(received.get(0).get("text").asText())
                    .isEqualTo("75.0% of attempts of task kyu.fail on queue shop failed in the last 10m (3 of 4; limit 50%)");
        } finally {
            receiver.stop(0);
        }
    }
}
