package dev.kyu.broker.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kyu.KyuException;
import dev.kyu.job.Job;
import dev.kyu.job.JobIds;
import dev.kyu.spi.EnqueueResult;
import dev.kyu.spi.FetchRequest;
import dev.kyu.spi.NewJob;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link RedisBrokerContract} on a single server. */
class RedisBrokerTest extends RedisBrokerContract {
    @RegisterExtension
    static final RedisExtension redis = RedisExtension.single();

    @Override
    String freshUrl() {
        return redis.freshUrl();
    }

    @Test
    void onASingleServerAnIdIsUniqueAcrossQueuesAndAStaleIndexEntryIsTakenOver() {
        var stored = job("q").build();
        enqueue(stored);
        var elsewhere =
                NewJob.builder(stored.id(), "t").queue("other").args("{}").build();
        assertThatThrownBy(() -> enqueue(job("other").build(), elsewhere))
                .isInstanceOf(KyuException.InvalidInput.class)
                .hasMessageContaining(stored.id());
        assertThat(broker.jobGet(stored.id()).orElseThrow().queue()).isEqualTo("q");

        // The index names a queue whose job is gone: the id is free, and the new job takes the entry over.
        String orphan = JobIds.next();
        broker.link().sync().hset(broker.keys().jobQueue(), orphan, "gone");
        var reused = NewJob.builder(orphan, "t").queue("q").args("{}").build();
        assertThat(enqueue(reused, job("q").build()))
                .extracting(EnqueueResult::created)
                .containsExactly(true, true);
        assertThat(broker.jobGet(orphan).orElseThrow().queue()).isEqualTo("q");
        assertThat(broker.link().sync().hget(broker.keys().jobQueue(), orphan)).isEqualTo("q");
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
                result.complete(broker.jobsFetch(
                        new FetchRequest("gone", List.of("q"), 5, Duration.ofSeconds(30), Duration.ofSeconds(60))));
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

    /**
     * A pop that fails at once (a wake key holding a value of another type) is reported, not retried in a
     * loop: the fetch's only queue is unusable, so the call fails, naming the key.
     */
    @Test
    void aFailingPopIsReported() {
        broker.link().sync().set(broker.keys().wake("q"), "not a list");
        assertThatThrownBy(() -> broker.jobsFetch(
                        new FetchRequest("w", List.of("q"), 5, Duration.ofSeconds(30), Duration.ofSeconds(3))))
                .isInstanceOf(dev.kyu.KyuException.class)
                .hasMessageContaining("Redis key " + broker.keys().wake("q") + " holds a string, expected a list");
    }

    /**
     * A lone job's enqueue is read back on the caller's thread over a direct connection, of which there are
     * at most four; callers beyond them share the pipelined connection, and every job is stored once.
     */
    @Test
    void concurrentLoneEnqueuesUseAtMostFourDirectConnectionsAndStoreEveryJob() throws Exception {
        enqueue(job("q").build()); // the shared connection and one direct connection are open
        long before = connectedClients();
        int threads = 16, each = 50;
        var ids = java.util.concurrent.ConcurrentHashMap.<String>newKeySet();
        var pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            var done = new java.util.ArrayList<java.util.concurrent.Future<?>>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        var j = job("q").build();
                        assertThat(enqueue(j))
                                .extracting(EnqueueResult::created)
                                .containsExactly(true);
                        ids.add(j.id());
                    }
                    return null;
                }));
            }
            for (var f : done) f.get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertThat(ids).hasSize(threads * each);
        for (String id : ids) assertThat(broker.jobGet(id)).isPresent();
        assertThat(connectedClients()).isLessThanOrEqualTo(before + RedisLink.MAX_DIRECT_CALLERS - 1);
    }

    private long connectedClients() {
        return broker.link()
                .sync()
                .info("clients")
                .lines()
                .filter(l -> l.startsWith("connected_clients:"))
                .mapToLong(l -> Long.parseLong(l.substring(l.indexOf(':') + 1).trim()))
                .sum();
    }

    private long blockedClients() {
        return broker.link()
                .sync()
                .info("clients")
                .lines()
                .filter(l -> l.startsWith("blocked_clients:"))
                .mapToLong(l -> Long.parseLong(l.substring(l.indexOf(':') + 1).trim()))
                .sum();
    }
}
