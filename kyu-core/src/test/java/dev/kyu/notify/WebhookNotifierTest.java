package dev.kyu.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.kyu.Kyu;
import dev.kyu.KyuException;
import dev.kyu.ManualClock;
import dev.kyu.codec.JsonCodec;
import dev.kyu.job.JobOptions;
import dev.kyu.job.JobState;
import dev.kyu.worker.Worker;
import dev.kyu.worker.WorkerOptions;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The webhook notifier against a real local HTTP server and real workers on a memory broker. */
class WebhookNotifierTest {
    private final List<JsonNode> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger status = new AtomicInteger(200);
    private final HttpServer server;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    WebhookNotifierTest() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hooks/T000/secret", exchange -> {
            try (exchange) {
                received.add(JsonCodec.shared().mapper().readTree(exchange.getRequestBody()));
                exchange.sendResponseHeaders(status.get(), -1);
            }
        });
        server.start();
    }

    @AfterEach
    void close() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) closeables.get(i).close();
        server.stop(0);
    }

    private URI hook() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hooks/T000/secret");
    }

    private Kyu kyuWith(WebhookNotifier notifier) {
        Kyu kyu = Kyu.builder().broker("memory:").listener(notifier).build();
        closeables.add(kyu);
        return kyu;
    }

    private Worker worker(Kyu kyu) {
        Worker w = kyu.worker(WorkerOptions.builder()
                        .queues("default", "payments")
                        .concurrency(8)
                        .fetchWait(Duration.ofMillis(100))
                        .shutdownGrace(Duration.ofSeconds(2))
                        .build())
                .start();
        closeables.add(w);
        return w;
    }

    @Test
    void aFailedJobSendsOneSlackCompatibleMessage() {
        var notifier = WebhookNotifier.builder(hook()).build();
        closeables.add(notifier);
        Kyu kyu = kyuWith(notifier);
        worker(kyu);
        var job = kyu.enqueue(
                "kyu.fail",
                Map.of("message", "card declined"),
                JobOptions.builder().queue("payments").maxAttempts(1).build());
        kyu.enqueue("kyu.echo", Map.of("ok", true), JobOptions.NONE);

        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
        String text = received.get(0).get("text").asText();
        assertThat(received.get(0).size()).isEqualTo(1);
        assertThat(text).contains(job.id(), "kyu.fail", "payments", "FAILED after 1 attempt(s)", "card declined");
        assertThat(notifier.sent()).isEqualTo(1);
    }

    @Test
    void aStormOfFailuresSendsTheFirstAndOneSummary() throws Exception {
        var clock = new ManualClock(Instant.now());
        var notifier = WebhookNotifier.builder(hook())
                .clock(clock)
                .window(Duration.ofMinutes(1))
                .build();
        closeables.add(notifier);
        Kyu kyu = kyuWith(notifier);
        worker(kyu);
        var opts = JobOptions.builder().maxAttempts(1).build();
        var handles = kyu.enqueueJsonAll("kyu.fail", java.util.Collections.nCopies(200, "{}"), opts);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> handles.stream().allMatch(h -> h.status() == JobState.FAILED));
        await().atMost(Duration.ofSeconds(5)).until(() -> received.size() == 1);

        clock.advance(Duration.ofSeconds(61));
        notifier.flushDue();
        await().atMost(Duration.ofSeconds(5)).until(() -> received.size() == 2);
        assertThat(received.get(1).get("text").asText())
                .startsWith("199 more job(s) of task kyu.fail failed in the last minute");
    }

    @Test
    void aBrokenWebhookNeverAffectsJobs() throws Exception {
        status.set(500);
        var failing = WebhookNotifier.builder(hook()).build();
        // And one whose server is gone: connection refused.
        var dead = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        int port = dead.getAddress().getPort();
        dead.stop(0);
        var unreachable = WebhookNotifier.builder(URI.create("http://127.0.0.1:" + port + "/x"))
                .connectTimeout(Duration.ofMillis(500))
                .requestTimeout(Duration.ofSeconds(1))
                .build();
        closeables.add(failing);
        closeables.add(unreachable);
        Kyu kyu = Kyu.builder()
                .broker("memory:")
                .listener(failing)
                .listener(unreachable)
                .build();
        closeables.add(kyu);
        worker(kyu);

        var bad = kyu.enqueue(
                "kyu.fail", Map.of(), JobOptions.builder().maxAttempts(1).build());
        var good = kyu.enqueue("kyu.echo", Map.of("n", 1), JobOptions.NONE);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> bad.status() == JobState.FAILED && good.status() == JobState.SUCCEEDED);
        await().atMost(Duration.ofSeconds(10)).until(() -> failing.errors() == 1 && unreachable.errors() == 1);
        var after = kyu.enqueue("kyu.echo", Map.of("n", 2), JobOptions.NONE);
        await().atMost(Duration.ofSeconds(10)).until(() -> after.status() == JobState.SUCCEEDED);
    }

    @Test
    void aFullQueueDropsMessagesInsteadOfWaiting() {
        var release = new java.util.concurrent.CountDownLatch(1);
        var arrived = new java.util.concurrent.CountDownLatch(1);
        server.createContext("/slow", exchange -> {
            try (exchange) {
                arrived.countDown();
                release.await();
                exchange.sendResponseHeaders(200, -1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        var notifier = WebhookNotifier.builder(
                        URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/slow"))
                .queueCapacity(1)
                .clock(new ManualClock(Instant.now()))
                .build();
        try {
            // Each task has its own window, so every failure is a first message to send.
            notifier.onRecorded(job("t0"), dead(), Duration.ZERO);
            await().atMost(Duration.ofSeconds(5)).until(() -> arrived.getCount() == 0); // the sender is stuck on it
            for (int i = 1; i < 20; i++) notifier.onRecorded(job("t" + i), dead(), Duration.ZERO);
            assertThat(notifier.dropped())
                    .isEqualTo(
                            18); // one waits in the queue, the rest are dropped, none blocked the caller (the server is
            // still stuck)
        } finally {
            release.countDown();
            notifier.close();
        }
        assertThat(notifier.sent()).isEqualTo(2);
    }

    private static dev.kyu.job.Job job(String task) {
        return dev.kyu.job.Job.builder()
                .id("id-" + task)
                .task(task)
                .state(JobState.RUNNING)
                .attempt(1)
                .build();
    }

    private static dev.kyu.spi.Outcome dead() {
        return new dev.kyu.spi.Outcome.Dead(dev.kyu.job.JobError.reason(1, "x", "y", Instant.now()));
    }

    @Test
    void badSettingsAreRefused() {
        assertThatThrownBy(() -> WebhookNotifier.builder(URI.create("ftp://example.com/x")))
                .isInstanceOf(KyuException.InvalidInput.class)
                .hasMessageContaining("http(s)");
        assertThatThrownBy(() -> WebhookNotifier.builder(hook()).window(Duration.ZERO))
                .hasMessageContaining("window");
        assertThat(WebhookNotifier.safe(URI.create("https://hooks.slack.com/services/T0/B0/secret")))
                .doesNotContain("secret");
    }
}
