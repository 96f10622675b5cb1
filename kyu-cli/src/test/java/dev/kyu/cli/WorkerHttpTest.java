package dev.kyu.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kyu.Kyu;
import dev.kyu.job.Backoff;
import dev.kyu.job.JobOptions;
import dev.kyu.job.JobState;
import dev.kyu.testkit.WorkerProcess;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kyu worker --http-port}: a worker process scraped after known work, and its health checks. */
class WorkerHttpTest {
    @TempDir
    Path dir;

    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void metricsOfAWorkerProcessCountItsWork() throws Exception {
        String url = "sqlite:" + dir.resolve("kyu.db");
        int port = freePort();
        try (Kyu kyu = Kyu.connect(url);
                var worker = WorkerProcess.startMain(
                        KyuCli.class.getName(),
                        List.of(
                                "--broker",
                                url,
                                "worker",
                                "--queues",
                                "default,mail",
                                "--concurrency",
                                "3",
                                "--http-port",
                                Integer.toString(port)),
                        dir.resolve("worker.log"))) {
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> worker.log().contains("worker HTTP endpoint at")
                            || !worker.process().isAlive());
            String base = "http://127.0.0.1:" + port;
            assertThat(get(base + "/health/live").statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> get(base + "/health/ready").statusCode() == 200);
            // and it stays ready, probe after probe, each answered at once (several broker pings apart)
            await().during(Duration.ofSeconds(3))
                    .atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        long t0 = System.nanoTime();
                        return get(base + "/health/ready").statusCode() == 200
                                && System.nanoTime() - t0 < 1_000_000_000L;
                    });

            for (int i = 0; i < 3; i++) kyu.enqueueJson("kyu.noop", "{}", JobOptions.NONE);
            var fail = JobOptions.builder().queue("mail").maxAttempts(1).build();
            kyu.enqueueJson("kyu.fail", "{\"message\":\"boom\"}", fail);
            kyu.enqueueJson("kyu.fail", "{\"message\":\"boom\"}", fail);
            var once = JobOptions.builder()
                    .queue("mail")
                    .maxAttempts(2)
                    .backoff(Backoff.fixed(Duration.ofMillis(10)))
                    .build();
            kyu.enqueueJson("kyu.fail", "{\"times\":1}", once);
            // a queue no worker reads: its backlog asks for ceil(7 / 10) workers of the default size
            for (int i = 0; i < 7; i++)
                kyu.enqueueJson(
                        "kyu.noop", "{}", JobOptions.builder().queue("later").build());
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> kyu.admin().queues().stream()
                                    .mapToLong(q -> q.count(JobState.SUCCEEDED) + q.count(JobState.FAILED))
                                    .sum()
                            == 6);

            String m = get(base + "/metrics").body();
            assertThat(value(m, "kyu_jobs_started_total", Map.of("task", "kyu.noop", "queue", "default")))
                    .isEqualTo(3);
            assertThat(value(m, "kyu_jobs_completed_total", Map.of("task", "kyu.noop", "queue", "default")))
                    .isEqualTo(3);
            assertThat(value(m, "kyu_jobs_failed_total", Map.of("task", "kyu.fail", "queue", "mail")))
                    .isEqualTo(2);
            assertThat(value(m, "kyu_jobs_retried_total", Map.of("task", "kyu.fail", "queue", "mail")))
                    .isEqualTo(1);
            assertThat(value(m, "kyu_jobs_completed_total", Map.of("task", "kyu.fail", "queue", "mail")))
                    .isEqualTo(1);
            assertThat(value(
                            m,
                            "kyu_job_duration_seconds_count",
                            Map.of("task", "kyu.noop", "queue", "default", "outcome", "succeeded")))
                    .isEqualTo(3);
            assertThat(value(m, "kyu_job_queue_wait_seconds_count", Map.of("task", "kyu.fail", "queue", "mail")))
                    .isEqualTo(4);
            assertThat(value(m, "kyu_queue_jobs", Map.of("queue", "mail", "state", "FAILED")))
                    .isEqualTo(2);
            assertThat(value(m, "kyu_queue_jobs", Map.of("queue", "later", "state", "QUEUED")))
                    .isEqualTo(7);
            assertThat(value(m, "kyu_queue_desired_workers", Map.of("queue", "later")))
                    .isEqualTo(1);
            assertThat(value(m, "kyu_queue_desired_workers", Map.of("queue", "default")))
                    .isEqualTo(0);
            assertThat(value(m, "kyu_worker_concurrency", Map.of())).isEqualTo(3);
            assertThat(value(m, "kyu_worker_free_slots", Map.of())).isEqualTo(3);
            assertThat(value(m, "kyu_worker_busy_slots", Map.of())).isEqualTo(0);
            assertThat(value(m, "kyu_worker_ready", Map.of())).isEqualTo(1);
            assertThat(value(m, "kyu_worker_fetch_errors_total", Map.of())).isEqualTo(0);
            assertThat(value(m, "kyu_worker_heartbeat_age_seconds", Map.of())).isBetween(0.0, 10.0);
            // the JVM's and the process's own, through Micrometer's binders
            assertThat(m)
                    .contains(
                            "jvm_memory_used_bytes{",
                            "jvm_threads_live_threads ",
                            "jvm_gc_",
                            "process_cpu_usage ",
                            "process_uptime_seconds ",
                            "system_cpu_count ");
            assertThat(get(base + "/nothing").statusCode()).isEqualTo(404);

            worker.terminate();
            assertThat(worker.log()).doesNotContain("Exception");
        }
    }

    @Test
    void autoscaleGrowsAWorkerProcessUnderABacklog() throws Exception {
        String url = "sqlite:" + dir.resolve("kyu.db");
        int port = freePort();
        try (Kyu kyu = Kyu.connect(url);
                var worker = WorkerProcess.startMain(
                        KyuCli.class.getName(),
                        List.of("--broker", url, "worker", "--autoscale", "1,4", "--http-port", Integer.toString(port)),
                        dir.resolve("worker.log"))) {
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> worker.log().contains("autoscaling worker")
                            || !worker.process().isAlive());
            String base = "http://127.0.0.1:" + port;
            assertThat(value(get(base + "/metrics").body(), "kyu_worker_concurrency", Map.of()))
                    .isEqualTo(1);
            for (int i = 0; i < 8; i++) kyu.enqueueJson("kyu.sleep", "{\"ms\": 3000}", JobOptions.NONE);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> value(get(base + "/metrics").body(), "kyu_worker_busy_slots", Map.of()) == 4);
            assertThat(value(get(base + "/metrics").body(), "kyu_worker_concurrency", Map.of()))
                    .isEqualTo(4);
            assertThat(worker.log()).contains("concurrency 1 -> 4");
        }
    }

    @Test
    void badAutoscaleIsOneLine() {
        var r = new CliRunner("sqlite:" + dir.resolve("kyu.db"));
        assertThat(r.run("worker", "--autoscale", "5,2").errLines())
                .hasSize(1)
                .first()
                .asString()
                .contains("--autoscale takes MIN,MAX with 1 <= MIN <= MAX <= 100000, was '5,2'");
        assertThat(r.run("worker", "--autoscale", "1,5", "--concurrency", "3").errLines())
                .hasSize(1)
                .first()
                .asString()
                .contains("give --autoscale or --concurrency, not both");
    }

    @Test
    void aPortInUseStopsTheCommandWithOneLine() throws Exception {
        try (var taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            var r = new CliRunner("sqlite:" + dir.resolve("kyu.db"));
            var result = r.run("worker", "--http-port", Integer.toString(taken.getLocalPort()));
            assertThat(result.exitCode()).isEqualTo(2);
            assertThat(result.errLines())
                    .hasSize(1)
                    .first()
                    .asString()
                    .contains("cannot serve on 127.0.0.1:" + taken.getLocalPort());
        }
    }

    @Test
    void aNonLoopbackBindWithoutATokenIsRefused() {
        var r = new CliRunner("sqlite:" + dir.resolve("kyu.db"));
        var result = r.run("worker", "--http-port", "0", "--http-bind", "0.0.0.0");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.errLines())
                .hasSize(1)
                .first()
                .asString()
                .contains("refusing to serve worker metrics on non-loopback address 0.0.0.0 without a token");
    }

    HttpResponse<String> get(String url) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The value of one sample in Prometheus text, whatever the order of its labels. */
    static double value(String text, String name, Map<String, String> labels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{([^}]*)})? (\\S+)$")
                .matcher(text);
        while (m.find()) {
            String ls = m.group(2) == null ? "" : m.group(2);
            if (labels.entrySet().stream().allMatch(e -> ls.contains(e.getKey() + "=\"" + e.getValue() + "\"")))
                return Double.parseDouble(m.group(3));
        }
        throw new AssertionError("no sample " + name + labels + " in\n" + text);
    }

    static int freePort() throws Exception {
        try (var s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
