package dev.kyu.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.kyu.Kyu;
import dev.kyu.alert.WebhookChannel;
import dev.kyu.job.Job;
import dev.kyu.job.JobOptions;
import dev.kyu.job.JobState;
import dev.kyu.spi.FetchRequest;
import dev.kyu.testkit.WorkerProcess;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --alerts FILE}: a job failed by a lease rescue is reported once with three worker processes evaluating; a bad file is one line. */
class AlertsCommandTest {
    static final String SECRET = "shared-secret-for-the-test";

    @TempDir
    Path dir;

    HttpServer receiver;
    final List<JsonNode> received = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startReceiver() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        receiver.createContext("/hook", ex -> {
            try (ex) {
                String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                String ts = ex.getRequestHeaders().getFirst(WebhookChannel.TIMESTAMP);
                String sig = ex.getRequestHeaders().getFirst(WebhookChannel.SIGNATURE);
                boolean good = ("sha256="
                                + WebhookChannel.sign(SECRET.getBytes(StandardCharsets.UTF_8), ts + "." + body))
                        .equals(sig);
                if (good) received.add(new ObjectMapper().readTree(body));
                ex.sendResponseHeaders(good ? 200 : 401, -1);
            }
        });
        receiver.start();
    }

    @AfterEach
    void stopReceiver() {
        receiver.stop(0);
    }

    @Test
    void aRescuedFailedJobIsReportedOnceWithThreeProcessesRunning() throws Exception {
        String url = "sqlite:" + dir.resolve("kyu.db");
        Path rules = dir.resolve("alerts.yaml");
        Files.writeString(rules, """
                interval: 1s
                channels:
                  hook: { type: webhook, url: "http://127.0.0.1:%d/hook", secret: "%s" }
                rules:
                  - { name: dead, when: job-failed, channels: [hook] }
                """.formatted(receiver.getAddress().getPort(), SECRET));
        var workers = new ArrayList<WorkerProcess>();
        try (Kyu kyu = Kyu.connect(url)) {
            for (int i = 0; i < 3; i++) {
                workers.add(WorkerProcess.startMain(
                        KyuCli.class.getName(),
                        List.of("--broker", url, "worker", "--alerts", rules.toString()),
                        dir.resolve("worker-" + i + ".log")));
            }
            for (var w : workers) {
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> w.log().contains("alerts: 1 rule(s)")
                                || !w.process().isAlive());
            }
            // the rule has started reading from now on
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> kyu.broker().kvGet("kyu:alerts:cursor:dead").isPresent());

            // A worker that leases the job's last attempt and dies: only a lease rescue ends it.
            var handle = kyu.enqueueJson(
                    "kyu.noop",
                    "{}",
                    JobOptions.builder().queue("doomed").maxAttempts(1).build());
            List<Job> leased = kyu.broker()
                    .jobsFetch(new FetchRequest(
                            "dead-worker", List.of("doomed"), 1, Duration.ofSeconds(1), Duration.ofSeconds(1)));
            assertThat(leased).extracting(Job::id).containsExactly(handle.id());
            Job failed = handle.awaitJob(Duration.ofSeconds(60));
            assertThat(failed.state()).isEqualTo(JobState.FAILED);
            assertThat(failed.lastError().type()).isEqualTo("kyu.WorkerLost");

            await().atMost(Duration.ofSeconds(30)).until(() -> !received.isEmpty());
            // several passes of all three processes later, still one report
            await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).until(() -> received.size() == 1);
            JsonNode m = received.get(0);
            assertThat(m.get("kind").asText()).isEqualTo("JOB_FAILED");
            assertThat(m.get("jobs").get(0).get("id").asText()).isEqualTo(handle.id());
            assertThat(m.get("jobs").get(0).get("error").get("type").asText()).isEqualTo("kyu.WorkerLost");
        } finally {
            for (var w : workers) w.close();
        }
    }

    @Test
    void aBadRulesFileStopsTheWorkerWithOneLine() throws Exception {
        Path rules = dir.resolve("alerts.yaml");
        Files.writeString(rules, """
                channels:
                  hook: { type: webhook, url: "http://127.0.0.1:9/hook", secret: "%s" }
                rules:
                  - { name: deep, when: queue-depth, above: many, channels: [hook] }
                """.formatted(SECRET));
        var result = new CliRunner("sqlite:" + dir.resolve("kyu.db")).run("worker", "--alerts", rules.toString());
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.errLines())
                .hasSize(1)
                .first()
                .asString()
                .contains(rules + ": rules[0] (deep).above: expected a whole number, was 'many'");
    }
}
