package dev.kyu.broker.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kyu.KyuException;
import dev.kyu.job.Job;
import dev.kyu.job.JobIds;
import dev.kyu.job.JobState;
import dev.kyu.spi.BrokerConfig;
import dev.kyu.spi.Completion;
import dev.kyu.spi.EnqueueRequest;
import dev.kyu.spi.FetchRequest;
import dev.kyu.spi.NewJob;
import dev.kyu.spi.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Kills the Redis server (SIGKILL) and starts it again under a consumer, idle or busy: the broker
 * reconnects by itself and every job ends SUCCEEDED, none FAILED. The server here is always one this
 * test starts, with fsync on every write, since it must be killed and restarted with its data.
 */
class RedisRestartTest {
    RedisProcess server;
    RedisBroker broker;
    Thread consumer;
    final AtomicBoolean stop = new AtomicBoolean();
    final AtomicInteger outageErrors = new AtomicInteger();
    final Set<String> completed = ConcurrentHashMap.newKeySet();

    @BeforeEach
    void start() throws Exception {
        server = new RedisProcess(List.of("--appendonly", "yes", "--appendfsync", "always")).start();
        broker = RedisBroker.open(BrokerConfig.of(server.url() + "?timeout=2s&outage=60s"));
        consumer = Thread.ofVirtual().start(this::consume);
    }

    @AfterEach
    void stop() throws Exception {
        stop.set(true);
        consumer.join(Duration.ofSeconds(30));
        broker.close();
        server.close();
    }

    /** A worker's loop reduced to its bones: rescue, fetch what is due, complete it; ride out errors. */
    void consume() {
        while (!stop.get()) {
            try {
                broker.leasesRescueExpired(100);
                List<Job> jobs = broker.jobsFetch(
                        new FetchRequest("w", List.of("q"), 20, Duration.ofSeconds(3), Duration.ofMillis(500)));
                var done = new ArrayList<Completion>();
                for (Job j : jobs) done.add(new Completion(j.lease(), new Outcome.Succeeded("\"ok\"")));
                if (!done.isEmpty()) {
                    List<Boolean> applied = broker.jobsComplete(done);
                    for (int i = 0; i < done.size(); i++)
                        if (applied.get(i)) completed.add(done.get(i).lease().jobId());
                }
            } catch (KyuException e) {
                outageErrors.incrementAndGet();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Enqueues, retrying through the outage with the same ids: an id that already exists was stored. */
    void enqueue(List<NewJob> jobs) {
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    try {
                        broker.jobsEnqueue(EnqueueRequest.of(jobs));
                        return true;
                    } catch (KyuException.InvalidInput alreadyStored) {
                        return true;
                    } catch (KyuException.BrokerUnavailable down) {
                        return false;
                    }
                });
    }

    static List<NewJob> jobs(int n) {
        var out = new ArrayList<NewJob>();
        for (int i = 0; i < n; i++)
            out.add(NewJob.builder(JobIds.next(), "t")
                    .queue("q")
                    .maxAttempts(5)
                    .args("{\"i\":" + i + "}")
                    .build());
        return out;
    }

    void assertAllSucceeded(List<NewJob> jobs) {
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(broker.queueCounts("q"))
                        .containsEntry(JobState.SUCCEEDED, (long) jobs.size())
                        .containsEntry(JobState.FAILED, 0L)
                        .containsEntry(JobState.QUEUED, 0L)
                        .containsEntry(JobState.RUNNING, 0L));
        for (NewJob j : jobs)
            assertThat(broker.jobGet(j.id())).get().extracting(Job::state).isEqualTo(JobState.SUCCEEDED);
    }

    @Test
    void idleConsumerPicksUpWorkAfterARestart() throws Exception {
        List<NewJob> before = jobs(5);
        enqueue(before);
        assertAllSucceeded(before);

        var logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(Faults.class);
        var appender = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
        appender.start();
        logger.addAppender(appender);
        try {
            server.kill();
            // the consumer keeps trying while the server is down
            await().atMost(Duration.ofSeconds(30)).until(() -> outageErrors.get() > 0);
            server.start();

            List<NewJob> after = jobs(5);
            enqueue(after);
            await().atMost(Duration.ofSeconds(60))
                    .until(() ->
                            completed.containsAll(after.stream().map(NewJob::id).toList()));
            var all = new ArrayList<>(before);
            all.addAll(after);
            assertAllSucceeded(all);
            // One outage, told once however many calls rode it out, and its end told once.
            var lines = appender.list.stream()
                    .map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                    .toList();
            assertThat(lines.stream().filter(l -> l.contains("unavailable during")))
                    .hasSize(1);
            assertThat(lines.stream().filter(l -> l.contains("is available again")))
                    .hasSize(1);
        } finally {
            logger.detachAppender(appender);
        }
    }

    /**
     * A lone job's enqueue goes over a direct connection that stays open between calls. Once the server is
     * back after a restart, the next enqueue succeeds at once: the connection the restart closed is noticed
     * and replaced, not used to fail the call.
     */
    @Test
    void aLoneEnqueueRightAfterARestartSucceeds() throws Exception {
        broker.jobsEnqueue(EnqueueRequest.of(jobs(1)));
        server.restart();
        for (int i = 0; i < 3; i++) {
            var one = jobs(1);
            assertThat(broker.jobsEnqueue(EnqueueRequest.of(one)))
                    .extracting(r -> r.created())
                    .containsExactly(true);
            assertThat(broker.jobGet(one.get(0).id())).isPresent();
        }
    }

    @Test
    void busyConsumerLosesNoJobAcrossRestarts() throws Exception {
        List<NewJob> all = jobs(3000);
        var producer = Thread.ofVirtual().start(() -> {
            for (int i = 0; i < all.size(); i += 50) enqueue(all.subList(i, i + 50));
        });
        // restart twice while work is flowing
        for (int round = 1; round <= 2; round++) {
            int target = round * 400;
            await().atMost(Duration.ofSeconds(60)).until(() -> completed.size() >= target);
            server.restart();
        }
        producer.join(Duration.ofSeconds(120));
        assertAllSucceeded(all);
    }
}
