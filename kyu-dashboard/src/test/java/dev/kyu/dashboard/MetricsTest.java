package dev.kyu.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kyu.job.Backoff;
import dev.kyu.job.JobOptions;
import dev.kyu.job.JobState;
import dev.kyu.metrics.KyuMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Prometheus names and values on {@code /metrics} after known work (docs/metrics.md). */
class MetricsTest {
    private static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? ([-+0-9.eE]+|NaN)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final KyuMetrics metrics = new KyuMetrics(registry);
    private final DashboardFixture f = new DashboardFixture(o -> o.prometheus(registry), metrics);

    @AfterEach
    void close() {
        f.close();
    }

    /** The value of one sample, or null when no sample has exactly these labels (extra labels allowed with "+"). */
    static Double sample(String scrape, String name, Map<String, String> labels) {
        for (String line : scrape.split("\n")) {
            Matcher m = LINE.matcher(line.trim());
            if (!m.matches() || !m.group(1).equals(name)) continue;
            Map<String, String> found = new HashMap<>();
            if (m.group(2) != null) {
                Matcher l = LABEL.matcher(m.group(2));
                while (l.find()) found.put(l.group(1), l.group(2));
            }
            if (found.entrySet().containsAll(labels.entrySet())) return Double.parseDouble(m.group(3));
        }
        return null;
    }

    @Test
    void countersHistogramsAndGaugesAfterKnownWork() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++)
            ids.add(f.kyu.enqueue("kyu.echo", i, JobOptions.NONE).id());
        for (int i = 0; i < 2; i++)
            ids.add(f.kyu.enqueue(
                            "kyu.fail",
                            Map.of(),
                            JobOptions.builder().maxAttempts(1).build())
                    .id());
        ids.add(f.kyu.enqueue(
                        "kyu.fail",
                        Map.of("times", 1),
                        JobOptions.builder()
                                .maxAttempts(2)
                                .backoff(Backoff.fixed(Duration.ofMillis(1)))
                                .build())
                .id());
        var viaApi = f.post("/api/jobs", "{\"task\": \"kyu.noop\", \"queue\": \"later\", \"delayMs\": 3600000}");
        assertThat(viaApi.statusCode()).isEqualTo(201);
        f.post("/api/jobs", "{\"task\": \"kyu.noop\", \"queue\": \"waiting\"}");
        f.worker("default");
        await().atMost(Duration.ofSeconds(15))
                .until(() -> ids.stream()
                        .allMatch(id ->
                                f.kyu.admin().job(id).orElseThrow().state().isTerminal()));

        String scrape = f.get("/metrics").body();
        assertThat(f.get("/metrics").headers().firstValue("Content-Type"))
                .get()
                .asString()
                .startsWith("text/plain");
        Map<String, String> echo = Map.of("task", "kyu.echo", "queue", "default");
        Map<String, String> fail = Map.of("task", "kyu.fail", "queue", "default");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            String s = f.get("/metrics").body();
            assertThat(sample(s, "kyu_jobs_completed_total", echo)).isEqualTo(3.0);
            assertThat(sample(s, "kyu_jobs_completed_total", fail)).isEqualTo(1.0);
            assertThat(sample(s, "kyu_jobs_failed_total", fail)).isEqualTo(2.0);
            assertThat(sample(s, "kyu_jobs_retried_total", fail)).isEqualTo(1.0);
        });
        assertThat(sample(scrape, "kyu_jobs_enqueued_total", Map.of("task", "kyu.noop", "queue", "later")))
                .isEqualTo(1.0);
        assertThat(sample(
                        scrape,
                        "kyu_job_duration_seconds_count",
                        Map.of("task", "kyu.echo", "queue", "default", "outcome", "succeeded")))
                .isEqualTo(3.0);
        assertThat(sample(
                        scrape,
                        "kyu_job_duration_seconds_bucket",
                        Map.of("task", "kyu.echo", "outcome", "succeeded", "le", "+Inf")))
                .isEqualTo(3.0);
        assertThat(sample(scrape, "kyu_job_queue_wait_seconds_count", echo)).isEqualTo(3.0);

        String fresh = f.get("/metrics").body();
        assertThat(sample(fresh, "kyu_queue_jobs", Map.of("queue", "default", "state", "SUCCEEDED")))
                .isEqualTo(4.0);
        assertThat(sample(fresh, "kyu_queue_jobs", Map.of("queue", "default", "state", "FAILED")))
                .isEqualTo(2.0);
        assertThat(sample(fresh, "kyu_queue_jobs", Map.of("queue", "later", "state", "SCHEDULED")))
                .isEqualTo(1.0);
        assertThat(sample(fresh, "kyu_queue_jobs", Map.of("queue", "waiting", "state", "QUEUED")))
                .isEqualTo(1.0);
        assertThat(sample(fresh, "kyu_queue_oldest_job_age_seconds", Map.of("queue", "waiting")))
                .isGreaterThanOrEqualTo(0.0);
        assertThat(sample(fresh, "kyu_queue_oldest_job_age_seconds", Map.of("queue", "default")))
                .isEqualTo(0.0);
        assertThat(sample(fresh, "kyu_queue_paused", Map.of("queue", "waiting")))
                .isEqualTo(0.0);
        assertThat(sample(fresh, "kyu_workers", Map.of())).isEqualTo(1.0);
        assertThat(sample(fresh, "kyu_workers_concurrency", Map.of())).isEqualTo(4.0);
        assertThat(sample(fresh, "kyu_workers_busy_slots", Map.of())).isEqualTo(0.0);

        f.kyu.admin().pause("waiting");
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(
                                sample(f.get("/metrics").body(), "kyu_queue_paused", Map.of("queue", "waiting")))
                        .isEqualTo(1.0));
        assertThat(f.kyu.admin().job(ids.get(0)).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
    }

    @Test
    void everyFlowLimitHasGaugesOfItsWaitingRunningAndPauses() {
        f.kyu.limits().define(dev.kyu.flow.Limit.concurrency("imports", dev.kyu.flow.Limit.Target.queue("imports"), 5));
        f.kyu.limits().pause("imports", null, Duration.ofMinutes(5));
        String s = f.get("/metrics").body();
        Map<String, String> imports = Map.of("limit", "imports");
        assertThat(sample(s, "kyu_flow_waiting", imports)).isEqualTo(0.0);
        assertThat(sample(s, "kyu_flow_running", imports)).isEqualTo(0.0);
        assertThat(sample(s, "kyu_flow_paused", imports)).isEqualTo(1.0);
        f.kyu.limits().remove("imports");
        assertThat(sample(f.get("/metrics").body(), "kyu_flow_paused", imports)).isEqualTo(0.0);
    }

    @Test
    void closingTheDashboardKeepsTheApplicationsOwnMetricsListening() {
        assertThat(f.dashboard.metrics()).isSameAs(metrics);
        f.dashboard.close();
        assertThat(f.kyu.listeners()).contains(metrics);
    }

    @Test
    @SuppressWarnings("try") // closes a resource early on purpose; the try still closes it if an assertion fails first
    void closingTheDashboardStopsTheMetricsItAdded() {
        try (var kyu = dev.kyu.Kyu.builder().broker("memory:").build();
                var dashboard =
                        Dashboard.start(kyu, DashboardOptions.builder().port(0).build())) {
            KyuMetrics added = dashboard.metrics();
            assertThat(kyu.listeners()).contains(added);
            dashboard.close();
            assertThat(kyu.listeners()).doesNotContain(added);
        }
    }
}
