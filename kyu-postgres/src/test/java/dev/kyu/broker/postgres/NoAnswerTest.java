package dev.kyu.broker.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.kyu.KyuException;
import dev.kyu.job.JobIds;
import dev.kyu.spi.Broker;
import dev.kyu.spi.BrokerConfig;
import dev.kyu.spi.Brokers;
import dev.kyu.spi.EnqueueRequest;
import dev.kyu.spi.FetchRequest;
import dev.kyu.spi.NewJob;
import dev.kyu.testkit.TcpBlackhole;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A server that accepts TCP and never answers (a hung server, a paused VM, a dead firewall rule) fails
 * opening the broker and every call within the documented bounds, in one line naming the broker and never
 * the password. The JUnit timeouts stand for "hangs for ever".
 */
class NoAnswerTest {
    @RegisterExtension
    static final PostgresExtension pg = PostgresExtension.shared();

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void openingAgainstASilentServerEndsWithinConnectTimeout() throws Exception {
        try (TcpBlackhole hole = TcpBlackhole.silent()) {
            String url = "postgresql://u:topsecret@" + hole.hostPort() + "/db?connectTimeout=1s";
            long start = System.nanoTime();
            Throwable thrown = catchThrowable(() -> Brokers.open(url).close());
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(thrown)
                    .isInstanceOf(KyuException.BrokerUnavailable.class)
                    .hasMessageContaining("PostgreSQL at " + hole.hostPort())
                    .hasMessageContaining("no answer within connectTimeout (1s)")
                    .hasMessageNotContaining("topsecret");
            assertThat(thrown.getMessage()).doesNotContain("\n");
            assertThat(ms).isLessThan(5_000);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void callsOnAServerThatStopsAnsweringEndWithinSocketTimeout() throws Exception {
        PgSettings real = PgSettings.parse(BrokerConfig.of(pg.baseUrl()));
        String host = real.hostPort().substring(0, real.hostPort().lastIndexOf(':'));
        int port = Integer.parseInt(real.hostPort().substring(real.hostPort().lastIndexOf(':') + 1));
        try (TcpBlackhole hole = TcpBlackhole.relayTo(host, port)) {
            String base = pg.baseUrl();
            String url = base.replace(real.hostPort(), hole.hostPort()) + "?schema=" + pg.freshSchema()
                    + "&poolSize=2&connectTimeout=3s&socketTimeout=2";
            try (Broker broker = Brokers.open(url)) {
                broker.jobsEnqueue(EnqueueRequest.of(
                        List.of(NewJob.builder(JobIds.next(), "t").queue("q").build())));
                hole.freeze();

                long start = System.nanoTime();
                Throwable enqueue = catchThrowable(() -> broker.jobsEnqueue(EnqueueRequest.of(
                        List.of(NewJob.builder(JobIds.next(), "t").queue("q").build()))));
                Throwable fetch = catchThrowable(() -> broker.jobsFetch(
                        new FetchRequest("w", List.of("q"), 1, Duration.ofSeconds(30), Duration.ofSeconds(1))));
                Throwable list = catchThrowable(broker::queuesList);
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

                for (Throwable t : List.of(enqueue, fetch, list)) {
                    assertThat(t)
                            .isInstanceOf(KyuException.BrokerUnavailable.class)
                            .hasMessageContaining("PostgreSQL broker " + BrokerConfig.redact(url))
                            .hasMessageNotContaining(EmbeddedPg.PASSWORD);
                    assertThat(t.getMessage()).doesNotContain("\n");
                }
                // each call: at most socketTimeout (2 s) on a pooled connection, or connectTimeout (3 s) for a new
                // one (the defaults, 30 s and 5 s, would take longer); connectTimeout leaves room for a real login
                // on a busy machine
                assertThat(ms).isLessThan(3 * 3_000 + 3_000);
            }
        }
    }
}
