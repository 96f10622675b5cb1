package dev.kyu.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.kyu.Kyu;
import dev.kyu.ManualClock;
import dev.kyu.job.Backoff;
import dev.kyu.job.Job;
import dev.kyu.job.JobOptions;
import dev.kyu.job.JobState;
import dev.kyu.schedule.Schedule;
import dev.kyu.schedule.Scheduler;
import dev.kyu.spi.JobQuery;
import dev.kyu.worker.Worker;
import dev.kyu.worker.WorkerOptions;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Each rule fires and resolves, delivered to a real SMTP server (GreenMail, with a login) and to local HTTP
 * servers standing in for Slack and a signed webhook. The broker is the in-memory engine: the rules sit
 * above the SPI.
 */
class AlertsTest {
    static final String SECRET = "a-webhook-secret-of-some-length";
    static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static GreenMailExtension smtp = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort())
            .withConfiguration(GreenMailConfiguration.aConfig().withUser("ops@example.com", "kyu", "mail-password"))
            .withPerMethodLifecycle(true);

    HookReceiver hooks;
    Kyu kyu;
    ManualClock clock;
    final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        hooks = new HookReceiver();
        kyu = Kyu.connect("memory:");
        clock = new ManualClock(Instant.now());
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) toClose.get(i).close();
        kyu.close();
        hooks.close();
    }

    String channels() {
        return """
                dashboard: http://dash.example:5555/
                interval: 1s
                digest-window: 5m
                channels:
                  slack: { type: slack, url: "%s" }
                  hook: { type: webhook, url: "%s", secret: "%s" }
                  mail: { type: email, host: 127.0.0.1, port: %d, tls: none, user: kyu, password: mail-password,
                          from: kyu@example.com, to: [ops@example.com] }
                """.formatted(
                hooks.url("/slack"), hooks.url("/hook"), SECRET, smtp.getSmtp().getPort());
    }

    Alerts alerts(String rules) {
        var a = Alerts.of(kyu, AlertFile.parse("alerts.yaml", channels() + rules, k -> null), clock);
        toClose.add(a);
        return a;
    }

    Worker worker(String... queues) {
        var w = kyu.worker(
                        WorkerOptions.builder().queues(queues).concurrency(50).build())
                .start();
        toClose.add(w);
        return w;
    }

    /** Waits until every channel has delivered {@code n} messages, evaluating meanwhile; returns the webhook bodies. */
    List<JsonNode> delivered(Alerts a, int n) throws Exception {
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    a.check();
                    return hooks.at("/slack").size() >= n
                            && hooks.at("/hook").size() >= n
                            && smtp.getReceivedMessages().length >= n;
                });
        assertThat(hooks.at("/slack")).hasSize(n);
        assertThat(hooks.at("/hook")).hasSize(n);
        assertThat(smtp.getReceivedMessages()).hasSize(n);
        var out = new ArrayList<JsonNode>();
        for (var p : hooks.at("/hook")) {
            // the receiver's check: HMAC-SHA256 over "timestamp.body" under the shared secret
            String expected = "sha256="
                    + WebhookChannel.sign(
                            SECRET.getBytes(StandardCharsets.UTF_8),
                            p.headers().get("x-kyu-timestamp") + "." + p.body());
            assertThat(p.headers().get("x-kyu-signature")).isEqualTo(expected);
            out.add(JSON.readTree(p.body()));
        }
        return out;
    }

    String slackText(int i) throws Exception {
        return JSON.readTree(hooks.at("/slack").get(i).body()).get("text").asText();
    }

    String mailSubject(int i) throws Exception {
        MimeMessage m = smtp.getReceivedMessages()[i];
        return m.getSubject();
    }

    String mailBody(int i) throws Exception {
        return String.valueOf(smtp.getReceivedMessages()[i].getContent());
    }

    @Test
    void aFailedJobIsReportedOnEveryChannelOnce() throws Exception {
        Alerts a = alerts("""
                rules:
                  - { name: dead-jobs, when: job-failed, channels: [slack, hook, mail] }
                """);
        a.check(); // the rule starts from now
        worker("default");
        Job job = kyu.enqueueJson(
                        "kyu.fail",
                        "{\"message\":\"card declined\"}",
                        JobOptions.builder().maxAttempts(1).build())
                .awaitJob(Duration.ofSeconds(10));
        assertThat(job.state()).isEqualTo(JobState.FAILED);

        JsonNode hook = delivered(a, 1).get(0);
        assertThat(hook.get("kind").asText()).isEqualTo("JOB_FAILED");
        assertThat(hook.get("jobs").get(0).get("id").asText()).isEqualTo(job.id());
        assertThat(hook.get("jobs").get(0).get("error").get("message").asText()).isEqualTo("card declined");
        assertThat(hook.get("link").asText()).isEqualTo("http://dash.example:5555/jobs/" + job.id());
        assertThat(slackText(0))
                .contains(
                        "job failed: kyu.fail on default",
                        job.id(),
                        "card declined",
                        "<http://dash.example:5555/jobs/" + job.id() + "|" + job.id() + ">");
        assertThat(mailSubject(0)).isEqualTo("[kyu] job failed: kyu.fail on default");
        assertThat(mailBody(0)).contains(job.id(), "card declined", "http://dash.example:5555/jobs/" + job.id());

        // later passes report nothing more
        for (int i = 0; i < 3; i++) a.check();
        clock.advance(Duration.ofMinutes(10));
        a.check();
        assertThat(hooks.at("/hook")).hasSize(1);
    }

    @Test
    void aStormOfAThousandFailuresSendsOneDigest() throws Exception {
        Alerts a = alerts("""
                rules:
                  - { name: dead-jobs, when: job-failed, channels: [slack, hook, mail] }
                """);
        a.check();
        var args = new ArrayList<String>();
        for (int i = 0; i < 1000; i++) args.add("{\"message\":\"storm " + i + "\"}");
        kyu.enqueueJsonAll(
                "kyu.fail",
                args,
                JobOptions.builder().maxAttempts(1).queue("storm").build());
        worker("storm");
        await().atMost(Duration.ofSeconds(60))
                .until(() -> kyu.admin().queues().stream()
                                .filter(q -> q.queue().equals("storm"))
                                .mapToLong(q -> q.count(JobState.FAILED))
                                .sum()
                        == 1000);
        // every failure is past the settling time before the first pass looks
        Instant lastFinished = kyu.admin().jobs(new JobQuery(JobState.FAILED, "storm", null, null, 1000, 0)).stream()
                .map(Job::finishedAt)
                .max(Comparator.naturalOrder())
                .orElseThrow();
        await().atMost(Duration.ofSeconds(10)).until(() -> kyu.admin().now().isAfter(lastFinished.plusSeconds(2)));

        JsonNode digest = delivered(a, 1).get(0);
        assertThat(digest.get("kind").asText()).isEqualTo("DIGEST");
        assertThat(digest.get("count").asInt()).isEqualTo(1000);
        assertThat(slackText(0)).contains("1000 jobs failed", "1000 × kyu.fail on storm");
        assertThat(mailSubject(0)).isEqualTo("[kyu] 1000 jobs failed (dead-jobs)");
        for (int i = 0; i < 3; i++) a.check();
        clock.advance(Duration.ofMinutes(10));
        a.check();
        assertThat(hooks.at("/hook")).hasSize(1);
    }

    @Test
    void failuresDuringTheDigestWindowGoOutTogetherWhenItEnds() throws Exception {
        Alerts a = alerts("rules:\n  - { name: dead-jobs, when: job-failed, channels: [slack, hook, mail] }\n");
        a.check();
        worker("default");
        var once = JobOptions.builder().maxAttempts(1).build();
        kyu.enqueueJson("kyu.fail", "{}", once).awaitJob(Duration.ofSeconds(10));
        assertThat(delivered(a, 1).get(0).get("kind").asText()).isEqualTo("JOB_FAILED");

        Job last = null;
        for (int i = 0; i < 5; i++)
            last = kyu.enqueueJson("kyu.fail", "{}", once).awaitJob(Duration.ofSeconds(10));
        Instant lastFinished = last.finishedAt();
        await().atMost(Duration.ofSeconds(10)).until(() -> kyu.admin().now().isAfter(lastFinished.plusSeconds(2)));
        for (int i = 0; i < 3; i++) a.check();
        assertThat(hooks.at("/hook")).hasSize(1); // held: the window is open
        clock.advance(Duration.ofMinutes(5));
        JsonNode digest = delivered(a, 2).get(1);
        assertThat(digest.get("kind").asText()).isEqualTo("DIGEST");
        assertThat(digest.get("count").asInt()).isEqualTo(5);
    }

    @Test
    void queueDepthFiresAndResolves() throws Exception {
        Alerts a = alerts("""
                rules:
                  - { name: backlog, when: queue-depth, queue: reports, above: 2, channels: [slack, hook, mail] }
                """);
        a.check();
        for (int i = 0; i < 3; i++)
            kyu.enqueueJson(
                    "kyu.noop", "{}", JobOptions.builder().queue("reports").build());
        JsonNode firing = delivered(a, 1).get(0);
        assertThat(firing.get("kind").asText()).isEqualTo("FIRING");
        assertThat(firing.get("text").asText()).isEqualTo("queue reports has 3 job(s) waiting (limit 2)");
        assertThat(mailSubject(0)).isEqualTo("[kyu] FIRING backlog: reports");
        a.check();
        assertThat(hooks.at("/hook")).hasSize(1); // still firing: no repeat

        worker("reports");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> kyu.broker().queueCounts("reports").get(JobState.QUEUED) == 0);
        JsonNode resolved = delivered(a, 2).get(1);
        assertThat(resolved.get("kind").asText()).isEqualTo("RESOLVED");
        assertThat(slackText(1)).contains("RESOLVED backlog: reports", "Resolved: queue reports has 0 job(s) waiting");
        assertThat(mailSubject(1)).isEqualTo("[kyu] RESOLVED backlog: reports");
    }

    @Test
    void oldestJobAgeFiresAndResolves() throws Exception {
        Alerts a = alerts("""
                rules:
                  - { name: stale, when: oldest-job-age, queue: slow, above: 5m, channels: [slack, hook, mail] }
                """);
        kyu.enqueueJson("kyu.noop", "{}", JobOptions.builder().queue("slow").build());
        clock.set(kyu.admin().now());
        a.check();
        assertThat(hooks.posts).isEmpty();
        clock.advance(Duration.ofMinutes(6));
        assertThat(delivered(a, 1).get(0).get("text").asText())
                .startsWith("the oldest job waiting on queue slow has waited 6m");
        worker("slow");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> kyu.broker().queueCounts("slow").get(JobState.SUCCEEDED) == 1);
        assertThat(delivered(a, 2).get(1).get("kind").asText()).isEqualTo("RESOLVED");
    }

    @Test
    void noWorkerFiresAndResolves() throws Exception {
        Alerts a = alerts("""
                rules:
                  - { name: nobody, when: no-worker, queue: mail, channels: [slack, hook, mail] }
                """);
        assertThat(delivered(a, 1).get(0).get("text").asText()).isEqualTo("no live worker reads queue mail");
        assertThat(hooks.at("/hook").get(0).body()).contains("\"link\":\"http://dash.example:5555/workers\"");
        Worker w = worker("mail");
        assertThat(delivered(a, 2).get(1).get("text").asText()).isEqualTo("Resolved: 1 live worker(s) read queue mail");
        // a worker whose heartbeat went stale counts as gone
        clock.advance(Duration.ofMinutes(2));
        assertThat(delivered(a, 3).get(2).get("kind").asText()).isEqualTo("FIRING");
        w.close();
    }

    @Test
    void failureRateFiresAndResolves() throws Exception {
        Alerts a = alerts("""
                rules:
                  - { name: flaky, when: failure-rate, queue: flaky, above: 50%, window: 10m, min-attempts: 4, channels: [slack, hook, mail] }
                """);
        a.check();
        worker("flaky");
        var fail = JobOptions.builder().queue("flaky").maxAttempts(1).build();
        for (int i = 0; i < 4; i++) kyu.enqueueJson("kyu.fail", "{}", fail).awaitJob(Duration.ofSeconds(10));
        kyu.enqueueJson("kyu.noop", "{}", fail).awaitJob(Duration.ofSeconds(10));
        assertThat(delivered(a, 1).get(0).get("text").asText())
                .isEqualTo("80.0% of attempts on queue flaky failed in the last 10m (4 of 5; limit 50%)");
        clock.advance(Duration.ofMinutes(20)); // the failures leave the window
        assertThat(delivered(a, 2).get(1).get("kind").asText()).isEqualTo("RESOLVED");
    }

    @Test
    void aTasksFailureRateCountsItsRetriedAttemptsFiresOnceAndResolves() throws Exception {
        Alerts a = alerts("""
                rules:
                  - { name: charge, when: failure-rate, task: kyu.fail, above: 50%, window: 10m, min-attempts: 5, channels: [slack, hook, mail] }
                  - { name: echo, when: failure-rate, task: kyu.echo, queue: shop, above: 50%, window: 10m, min-attempts: 1, channels: [slack, hook, mail] }
                """);
        a.check();
        worker("shop");
        var once = JobOptions.builder().queue("shop").maxAttempts(1).build();
        for (int i = 0; i < 3; i++) kyu.enqueueJson("kyu.fail", "{}", once).awaitJob(Duration.ofSeconds(10));
        for (int i = 0; i < 5; i++) kyu.enqueueJson("kyu.echo", "{}", once).awaitJob(Duration.ofSeconds(10));
        a.check();
        assertThat(hooks.posts).isEmpty(); // 3 of 3 attempts failed, but fewer than min-attempts

        // a retried attempt counts as a failed one: 1 failure and 1 success on this job
        var retried = JobOptions.builder()
                .queue("shop")
                .maxAttempts(2)
                .backoff(Backoff.fixed(Duration.ofMillis(10)))
                .build();
        Job j = kyu.enqueueJson("kyu.fail", "{\"times\": 1}", retried).awaitJob(Duration.ofSeconds(10));
        assertThat(j.state()).isEqualTo(JobState.SUCCEEDED);
        JsonNode firing = delivered(a, 1).get(0);
        assertThat(firing.get("kind").asText()).isEqualTo("FIRING");
        assertThat(firing.get("key").asText()).isEqualTo("kyu.fail");
        assertThat(firing.get("text").asText())
                .isEqualTo("80.0% of attempts of task kyu.fail failed in the last 10m (4 of 5; limit 50%)");
        assertThat(firing.get("link").asText()).isEqualTo("http://dash.example:5555/jobs?state=FAILED&task=kyu.fail");
        assertThat(mailSubject(0)).isEqualTo("[kyu] FIRING charge: kyu.fail");
        a.check();
        assertThat(hooks.at("/hook")).hasSize(1); // still firing: no repeat, and kyu.echo on the same queue never fires

        var ok = JobOptions.builder().queue("shop").maxAttempts(1).build();
        for (int i = 0; i < 4; i++)
            kyu.enqueueJson("kyu.fail", "{\"times\": 0}", ok).awaitJob(Duration.ofSeconds(10));
        JsonNode resolved = delivered(a, 2).get(1);
        assertThat(resolved.get("kind").asText()).isEqualTo("RESOLVED");
        assertThat(resolved.get("text").asText())
                .isEqualTo("Resolved: 44.4% of attempts of task kyu.fail failed in the last 10m (4 of 9; limit 50%)");
        assertThat(slackText(1)).contains("RESOLVED charge: kyu.fail");

        clock.advance(Duration.ofMinutes(20)); // every attempt leaves the window: nothing more to say
        a.check();
        assertThat(hooks.at("/hook")).hasSize(2);
    }

    @Test
    void aScheduleThatDidNotFireFiresAndResolves() throws Exception {
        Alerts a = alerts("""
                rules:
                  - { name: missed, when: schedule-missed, schedule: nightly, grace: 2m, channels: [slack, hook, mail] }
                """);
        Scheduler scheduler = Scheduler.builder(kyu)
                .clock(clock)
                .grace(Duration.ofMinutes(10))
                .schedule(Schedule.builder("nightly", "kyu.noop")
                        .every(Duration.ofMinutes(10))
                        .build())
                .build();
        toClose.add(scheduler);
        scheduler.runDue(); // a beat ran once, then stopped
        a.check(); // notes the tick the schedule owes
        clock.advance(Duration.ofMinutes(13)); // due 10 minutes in, 2 minutes of grace: late, no scheduler ran
        JsonNode firing = delivered(a, 1).get(0);
        assertThat(firing.get("kind").asText()).isEqualTo("FIRING");
        assertThat(firing.get("text").asText()).contains("schedule nightly", "has not fired");
        assertThat(scheduler.runDue().ticks()).hasSize(1); // the beat is back and fires the late tick
        assertThat(delivered(a, 2).get(1).get("kind").asText()).isEqualTo("RESOLVED");
    }

    @Test
    void onlyOneOfSeveralEvaluatorsLeads() {
        Alerts a = alerts("rules:\n  - { name: dead, when: job-failed, channels: [slack] }\n");
        Alerts b = alerts("rules:\n  - { name: dead, when: job-failed, channels: [slack] }\n");
        assertThat(a.check()).isTrue();
        assertThat(b.check()).isFalse();
        a.close();
        assertThat(b.check()).isTrue();
    }

    @Test
    void badChannelsAreWarningsAndJobsKeepFlowing() throws Exception {
        int closedPort;
        try (var s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        var logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(Alerts.class);
        var appender = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
        appender.start();
        logger.addAppender(appender);
        try {
            String yaml = """
                    interval: 1s
                    channels:
                      slack: { type: slack, url: "%s" }
                      nowhere: { type: email, host: 127.0.0.1, port: %d, tls: none, from: kyu@example.com, to: ops@example.com }
                      wrongpw: { type: email, host: 127.0.0.1, port: %d, tls: none, user: kyu, password: not-the-password,
                                 from: kyu@example.com, to: ops@example.com }
                      deadhook: { type: webhook, url: "http://127.0.0.1:%d/x", secret: "%s" }
                    rules:
                      - { name: dead, when: job-failed, channels: [nowhere, wrongpw, deadhook, slack] }
                    """.formatted(
                            hooks.url("/slack"), closedPort, smtp.getSmtp().getPort(), closedPort, SECRET);
            Alerts a = Alerts.of(kyu, AlertFile.parse("alerts.yaml", yaml, k -> null), clock)
                    .start();
            toClose.add(a);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> appender.list.stream()
                                    .filter(e -> e.getFormattedMessage().contains("is not usable now"))
                                    .count()
                            == 2);
            assertThat(appender.list)
                    .extracting(e -> e.getFormattedMessage())
                    .anySatisfy(m -> assertThat(m).contains("email nowhere", "127.0.0.1:" + closedPort))
                    .anySatisfy(m -> assertThat(m).contains("email wrongpw").containsIgnoringCase("authentication"));

            worker("default");
            Job failed = kyu.enqueueJson(
                            "kyu.fail",
                            "{}",
                            JobOptions.builder().maxAttempts(1).build())
                    .awaitJob(Duration.ofSeconds(10));
            assertThat(failed.state()).isEqualTo(JobState.FAILED);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> hooks.at("/slack").size() == 1); // the good channel still delivers
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> appender.list.stream()
                                    .filter(e -> e.getFormattedMessage().startsWith("alert '"))
                                    .count()
                            == 3);
            assertThat(appender.list)
                    .allSatisfy(e -> assertThat(e.getFormattedMessage()).doesNotContain("\n"));
            assertThat(kyu.enqueueJson("kyu.noop", "{}", JobOptions.NONE)
                            .awaitJob(Duration.ofSeconds(10))
                            .state())
                    .isEqualTo(JobState.SUCCEEDED);
        } finally {
            logger.detachAppender(appender);
        }
    }
}
