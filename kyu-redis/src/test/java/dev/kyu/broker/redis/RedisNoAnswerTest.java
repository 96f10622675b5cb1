package dev.kyu.broker.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.kyu.KyuException;
import dev.kyu.job.JobIds;
import dev.kyu.spi.Broker;
import dev.kyu.spi.Brokers;
import dev.kyu.spi.EnqueueRequest;
import dev.kyu.spi.FetchRequest;
import dev.kyu.spi.NewJob;
import dev.kyu.testkit.TcpBlackhole;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A server that accepts TCP and never answers fails opening the broker within {@code timeout}, and a
 * server that stops answering fails every call within {@code timeout} (enqueue, queries) or
 * {@code outage} (verbs that ride out outages: fetch), in one line naming the broker and never the
 * password. The JUnit timeouts stand for "hangs for ever".
 */
class RedisNoAnswerTest {
    private static RedisProcess server;

    @BeforeAll
    static void start() throws Exception {
        server = new RedisProcess(List.of("--requirepass", "s3cret")).start();
        // the client's classes loaded once, so that the times measured below are the waits alone
        Brokers.open("redis://:s3cret@127.0.0.1:" + server.port()).close();
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void openingAgainstASilentServerEndsWithinTheTimeout() throws Exception {
        try (TcpBlackhole hole = TcpBlackhole.silent()) {
            for (String url : List.of(
                    "redis://:topsecret@" + hole.hostPort() + "?timeout=1s",
                    "redis://:topsecret@" + hole.hostPort() + "?timeout=1s&sentinel=mymaster")) {
                long start = System.nanoTime();
                Throwable thrown = catchThrowable(() -> Brokers.open(url).close());
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertThat(thrown)
                        .isInstanceOf(KyuException.BrokerUnavailable.class)
                        .hasMessageContaining("Redis at redis://")
                        .hasMessageContaining(hole.hostPort())
                        .hasMessageNotContaining("topsecret");
                assertThat(thrown.getMessage()).doesNotContain("\n");
                assertThat(ms).as(url).isLessThan(5_000);
            }
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void callsOnAServerThatStopsAnsweringEndWithinTheTimeout() throws Exception {
        try (TcpBlackhole hole = TcpBlackhole.relayTo("127.0.0.1", server.port())) {
            String url = "redis://:s3cret@" + hole.hostPort() + "?timeout=2s&outage=3s";
            try (Broker broker = Brokers.open(url)) {
                broker.jobsEnqueue(EnqueueRequest.of(
                        List.of(NewJob.builder(JobIds.next(), "t").queue("q").build())));
                hole.freeze();

                long start = System.nanoTime();
                Throwable enqueue = catchThrowable(() -> broker.jobsEnqueue(EnqueueRequest.of(
                        List.of(NewJob.builder(JobIds.next(), "t").queue("q").build()))));
                Throwable list = catchThrowable(broker::queuesList);
                Throwable fetch = catchThrowable(() -> broker.jobsFetch(
                        new FetchRequest("w", List.of("q"), 1, Duration.ofSeconds(30), Duration.ofSeconds(5))));
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

                for (Throwable t : List.of(enqueue, list, fetch)) {
                    assertThat(t)
                            .isInstanceOf(KyuException.BrokerUnavailable.class)
                            .hasMessageContaining("Redis redis://")
                            .hasMessageNotContaining("s3cret");
                    assertThat(t.getMessage()).doesNotContain("\n");
                }
                // enqueue: at most twice the timeout; the listing and the fetch: the outage budget, then at most
                // twice the timeout for the last try (with the defaults, 10 s and 60 s, far longer)
                assertThat(ms).isLessThan(2 * 4_000 + 2 * (3_000 + 4_000) + 3_000);
            }
        }
    }
}
