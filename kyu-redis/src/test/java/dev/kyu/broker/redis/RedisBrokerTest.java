package dev.kyu.broker.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kyu.job.Job;
import dev.kyu.spi.FetchRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link RedisBrokerContract} on a single server. */
class RedisBrokerTest extends RedisBrokerContract {
    static TestRedis redis;

    @BeforeAll
    static void startServer() throws Exception {
        redis = TestRedis.start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        redis.close();
    }

    @Override
    String freshUrl() {
        redis.flush();
        return redis.url();
    }

    /**
     * On a single server the fetch script waits on the server behind the blocking pop. A worker interrupted
     * while it waits drops that connection, so the queued fetch never leases a job enqueued afterwards.
     */
    @Test
    void anInterruptedWaitLeavesNoFetchBehind() throws Exception {
        var result = new CompletableFuture<List<Job>>();
        var interruptKept = new CompletableFuture<Boolean>();
        Thread waiter = Thread.ofPlatform().start(() -> {
            try {
                result.complete(broker.jobsFetch(new FetchRequest("gone", List.of("q"), 5, Duration.ofSeconds(30), Duration.ofSeconds(60))));
            } catch (InterruptedException e) {
                result.complete(List.of());
            }
            interruptKept.complete(Thread.currentThread().isInterrupted());
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> blockedClients() == 1);
        waiter.interrupt();
        assertThat(result.get(10, TimeUnit.SECONDS)).isEmpty();
        assertThat(interruptKept.get(10, TimeUnit.SECONDS)).isTrue();
        // Its pop would block 5 s (the longest single pop) and then run the fetch; the dropped connection
        // ends it well before.
        await().atMost(Duration.ofSeconds(3)).until(() -> blockedClients() == 0);

        var j = job("q").build();
        enqueue(j);
        assertThat(fetch("next", 5, "q")).extracting(Job::id).containsExactly(j.id());
    }

    /** A pop that fails at once (a wake key holding a value of another type) is reported, not retried in a loop. */
    @Test
    void aFailingPopIsReported() {
        broker.link().sync().set(broker.keys().wake("q"), "not a list");
        assertThatThrownBy(() -> broker.jobsFetch(new FetchRequest("w", List.of("q"), 5, Duration.ofSeconds(30), Duration.ofSeconds(3))))
                .isInstanceOf(dev.kyu.KyuException.class).hasMessageContaining("WRONGTYPE");
    }

    private long blockedClients() {
        return broker.link().sync().info("clients").lines().filter(l -> l.startsWith("blocked_clients:"))
                .mapToLong(l -> Long.parseLong(l.substring(l.indexOf(':') + 1).trim())).sum();
    }
}
