package dev.kyu.broker.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kyu.KyuException;
import dev.kyu.job.JobIds;
import dev.kyu.job.JobState;
import dev.kyu.spi.Broker;
import dev.kyu.spi.BrokerConfig;
import dev.kyu.spi.Completion;
import dev.kyu.spi.EnqueueRequest;
import dev.kyu.spi.FetchRequest;
import dev.kyu.spi.NewJob;
import dev.kyu.spi.Outcome;
import io.lettuce.core.RedisClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Opening the broker on a server that asks for credentials: the default user's password ({@code requirepass})
 * and ACL users. Wrong or missing credentials, rights that fall short and a database the server does not
 * have end in one line that names the server, never the password, and leave the stored jobs alone. (RedisAclConformanceTest runs every verb as a user confined to
 * Kyu's keys.)
 */
class RedisOpenErrorsTest {
    private static final String PASSWORD = "s3cret-default";
    private static RedisProcess server;

    @BeforeAll
    static void start() throws Exception {
        server = new RedisProcess(List.of(
                        "--requirepass",
                        PASSWORD,
                        "--user",
                        "kyu",
                        "on",
                        ">kyu-pass",
                        "~*",
                        "&*",
                        "+@all",
                        "--user",
                        "reader",
                        "on",
                        ">reader-pass",
                        "~*",
                        "+@read",
                        "+@connection",
                        "--user",
                        "no-scripts",
                        "on",
                        ">no-scripts-pass",
                        "~*",
                        "+@all",
                        "-@scripting"))
                .start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
    }

    private static String url(String userInfo) {
        return "redis://" + userInfo + "@127.0.0.1:" + server.port();
    }

    @Test
    void theDefaultUsersPasswordOpensTheBroker() throws Exception {
        try (var broker = RedisBroker.open(BrokerConfig.of(url(":" + PASSWORD)))) {
            runOneJob(broker, "with-password");
        }
    }

    @Test
    void anAclUserRunsJobsThroughTheBlockingFetch() throws Exception {
        try (var broker = RedisBroker.open(BrokerConfig.of(url("kyu:kyu-pass")))) {
            runOneJob(broker, "acl-user");
        }
    }

    @Test
    void aWrongPasswordIsOneLineThatNamesTheServerAndLeavesTheJobsAlone() throws Exception {
        String id = JobIds.next();
        try (var broker = RedisBroker.open(BrokerConfig.of(url(":" + PASSWORD)))) {
            broker.jobsEnqueue(EnqueueRequest.of(
                    List.of(NewJob.builder(id, "t").queue("kept").build())));
        }
        assertThatThrownBy(() -> RedisBroker.open(BrokerConfig.of(url(":not-the-password"))))
                .isInstanceOf(KyuException.BrokerConfig.class)
                .hasMessageContaining("refused the credentials")
                .hasMessageContaining("127.0.0.1:" + server.port())
                .hasMessageNotContaining("not-the-password")
                .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> RedisBroker.open(BrokerConfig.of(url("kyu:wrong-user-pass"))))
                .isInstanceOf(KyuException.BrokerConfig.class)
                .hasMessageContaining("refused the credentials")
                .hasMessageNotContaining("wrong-user-pass");
        try (var broker = RedisBroker.open(BrokerConfig.of(url(":" + PASSWORD)))) {
            assertThat(broker.jobGet(id).orElseThrow().state()).isEqualTo(JobState.QUEUED);
        }
    }

    @Test
    void noPasswordForAServerThatAsksForOneSaysSo() {
        assertThatThrownBy(() -> RedisBroker.open(BrokerConfig.of("redis://127.0.0.1:" + server.port())))
                .isInstanceOf(KyuException.BrokerConfig.class)
                .hasMessageContaining("refused the credentials")
                .hasMessageNotContaining("\n");
    }

    @Test
    void aUserWithoutTheRightsKyuNeedsIsToldWhichCommandWasRefused() {
        assertThatThrownBy(() -> RedisBroker.open(BrokerConfig.of(url("reader:reader-pass"))))
                .isInstanceOf(KyuException.BrokerConfig.class)
                .hasMessageContaining("redis://reader:***@")
                .hasMessageContaining("does not allow this user")
                .hasMessageContaining("'info'")
                .hasMessageNotContaining("reader-pass")
                .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> RedisBroker.open(BrokerConfig.of(url("no-scripts:no-scripts-pass"))))
                .isInstanceOf(KyuException.BrokerConfig.class)
                .hasMessageContaining("does not allow this user")
                .hasMessageNotContaining("no-scripts-pass")
                .hasMessageNotContaining("\n");
    }

    @Test
    void aDatabaseOtherThanZeroHoldsTheJobsAlsoThroughTheBlockingFetch() throws Exception {
        try (var broker = RedisBroker.open(BrokerConfig.of(url(":" + PASSWORD) + "/3"))) {
            runOneJob(broker, "in-db-3");
        }
        var admin = RedisClient.create(url(":" + PASSWORD));
        try (var conn = admin.connect()) {
            assertThat(conn.sync().keys("kyu:{in-db-3}:*")).as("database 0").isEmpty();
            conn.sync().select(3);
            assertThat(conn.sync().keys("kyu:{in-db-3}:job:*")).as("database 3").hasSize(2);
        } finally {
            admin.shutdown();
        }
    }

    @Test
    void aDatabaseTheServerDoesNotHaveIsAConfigurationErrorNotAnOutage() {
        assertThatThrownBy(() -> RedisBroker.open(BrokerConfig.of(url(":" + PASSWORD) + "/9999")))
                .isInstanceOf(KyuException.BrokerConfig.class)
                .hasMessageContaining("refused the connection's set-up")
                .hasMessageContaining("DB index is out of range")
                .hasMessageNotContaining(PASSWORD)
                .hasMessageNotContaining("\n");
    }

    @Test
    void tlsAskedOfAPlainServerSaysSo() {
        assertThatThrownBy(() -> RedisBroker.open(
                        BrokerConfig.of("rediss://:" + PASSWORD + "@127.0.0.1:" + server.port() + "?timeout=1s")))
                .isInstanceOf(KyuException.BrokerUnavailable.class)
                .hasMessageContaining("the URL asks for TLS")
                .hasMessageNotContaining(PASSWORD)
                .hasMessageNotContaining("\n");
    }

    @Test
    void theDurabilityWarningComesWithTheFirstWriteNotWithReads() throws Exception {
        // This test server keeps no append-only file: the warning's subject.
        var logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(DurabilityCheck.class);
        var appender = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
        appender.start();
        logger.addAppender(appender);
        try (var broker = RedisBroker.open(BrokerConfig.of(url(":" + PASSWORD)))) {
            broker.jobGet(JobIds.next());
            broker.queuesList();
            assertThat(appender.list).as("open and reads say nothing").isEmpty();
            broker.jobsEnqueue(EnqueueRequest.of(
                    List.of(NewJob.builder(JobIds.next(), "t").queue("durable").build())));
            broker.jobsEnqueue(EnqueueRequest.of(
                    List.of(NewJob.builder(JobIds.next(), "t").queue("durable").build())));
            assertThat(appender.list).singleElement().satisfies(e -> {
                assertThat(e.getFormattedMessage())
                        .contains("may lose acknowledged jobs")
                        .contains("appendonly")
                        .doesNotContain(PASSWORD);
            });
        } finally {
            logger.detachAppender(appender);
        }
    }

    private static void runOneJob(Broker broker, String queue) throws InterruptedException {
        var job = NewJob.builder(JobIds.next(), "t").queue(queue).build();
        broker.jobsEnqueue(EnqueueRequest.of(List.of(job)));
        var leased = broker.jobsFetch(
                new FetchRequest("w", List.of(queue), 1, Duration.ofSeconds(30), Duration.ofSeconds(5)));
        assertThat(leased).extracting(j -> j.id()).containsExactly(job.id());
        assertThat(broker.jobsComplete(List.of(new Completion(leased.get(0).lease(), new Outcome.Succeeded("1")))))
                .containsExactly(true);
        assertThat(broker.jobGet(job.id()).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
        // The blocking path: a fetch waiting on the server (a blocked BLPOP) is woken by the next enqueue.
        var later = NewJob.builder(JobIds.next(), "t").queue(queue).build();
        var woken = CompletableFuture.supplyAsync(() -> {
            try {
                return broker.jobsFetch(
                        new FetchRequest("w", List.of(queue), 1, Duration.ofSeconds(30), Duration.ofSeconds(20)));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        var admin = RedisClient.create(url(":" + PASSWORD));
        try (var conn = admin.connect()) {
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> conn.sync().clientList().contains("cmd=blpop"));
        } finally {
            admin.shutdown();
        }
        broker.jobsEnqueue(EnqueueRequest.of(List.of(later)));
        assertThat(woken.join()).extracting(j -> j.id()).containsExactly(later.id());
    }
}
