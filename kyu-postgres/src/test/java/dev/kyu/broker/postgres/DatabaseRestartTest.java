package dev.kyu.broker.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kyu.KyuException;
import dev.kyu.job.Job;
import dev.kyu.job.JobIds;
import dev.kyu.job.JobState;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A database restart under a running consumer loop: calls fail with BrokerUnavailable while it is down
 * (no crash, no job failed because of it), the pool and the LISTEN connection come back by themselves,
 * and every job is done once it is up again. Uses a server of its own, since it stops it.
 */
class DatabaseRestartTest {
    @RegisterExtension
    static final PostgresExtension pg = PostgresExtension.ownServer();

    @Test
    void aLeaseThatLapsedDuringTheOutageIsNotRescuedBeforeItsWorkerIsBack() throws Exception {
        try (PostgresBroker broker = pg.open(pg.url("lapse"))) {
            NewJob once =
                    NewJob.builder(JobIds.next(), "t").queue("l").maxAttempts(1).build();
            broker.jobsEnqueue(EnqueueRequest.of(List.of(once)));
            Job running = broker.jobsFetch(new FetchRequest("w", List.of("l"), 1, Duration.ofSeconds(1), Duration.ZERO))
                    .get(0);

            pg.server().stopServer();
            org.assertj.core.api.Assertions.assertThatThrownBy(broker::now)
                    .isInstanceOf(KyuException.BrokerUnavailable.class);
            pg.server().startServer();
            // back up, and the one-second lease long gone: this process saw the outage, so it holds off
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> broker.now() != null);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> broker.jobGet(once.id())
                            .orElseThrow()
                            .leaseExpiresAt()
                            .isBefore(broker.now()));
            assertThat(broker.leasesRescueExpired(100).total()).isZero();
            // the worker reconnects, heartbeats and finishes its job
            assertThat(broker.leasesExtend(new dev.kyu.spi.LeaseExtension(
                                    "w", List.of(running.lease()), Duration.ofSeconds(30)))
                            .lost())
                    .isEmpty();
            assertThat(broker.jobsComplete(List.of(new Completion(running.lease(), new Outcome.Succeeded("1")))))
                    .containsExactly(true);
            assertThat(broker.jobGet(once.id()).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
        }
    }

    @Test
    void consumerLoopSurvivesARestart() throws Exception {
        try (PostgresBroker broker = pg.open(pg.url("restart"))) {
            var first = new ArrayList<NewJob>();
            for (int i = 0; i < 50; i++)
                first.add(NewJob.builder(JobIds.next(), "t")
                        .queue("q")
                        .maxAttempts(1)
                        .build());
            broker.jobsEnqueue(EnqueueRequest.of(first));

            Set<String> done = ConcurrentHashMap.newKeySet();
            AtomicInteger outages = new AtomicInteger();
            AtomicBoolean stop = new AtomicBoolean();
            List<Throwable> unexpected = new ArrayList<>();
            Thread consumer = Thread.ofPlatform().start(() -> {
                while (!stop.get()) {
                    try {
                        List<Job> got = broker.jobsFetch(
                                new FetchRequest("w", List.of("q"), 5, Duration.ofSeconds(60), Duration.ofMillis(500)));
                        List<Boolean> ok = broker.jobsComplete(got.stream()
                                .map(j -> new Completion(j.lease(), new Outcome.Succeeded("null")))
                                .toList());
                        for (int i = 0; i < got.size(); i++)
                            if (ok.get(i)) done.add(got.get(i).id());
                    } catch (KyuException.BrokerUnavailable e) {
                        outages.incrementAndGet();
                        try {
                            Thread.sleep(100); // a worker backs off like this between failed calls
                        } catch (InterruptedException ie) {
                            return;
                        }
                    } catch (Throwable t) {
                        synchronized (unexpected) {
                            unexpected.add(t);
                        }
                        return;
                    }
                }
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> done.size() == 50);

            pg.server().stopServer();
            await().atMost(Duration.ofSeconds(30)).until(() -> outages.get() > 0);
            await().atMost(Duration.ofSeconds(10)).until(() -> !broker.listening());
            pg.server().startServer();

            // new work after the restart is taken up, woken again by NOTIFY once LISTEN is back
            await().atMost(Duration.ofSeconds(30)).until(broker::listening);
            var second = new ArrayList<NewJob>();
            for (int i = 0; i < 50; i++)
                second.add(NewJob.builder(JobIds.next(), "t")
                        .queue("q")
                        .maxAttempts(1)
                        .build());
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                broker.jobsEnqueue(EnqueueRequest.of(second));
                return true;
            });
            await().atMost(Duration.ofSeconds(60)).until(() -> done.size() == 100);
            stop.set(true);
            consumer.join(10_000);

            assertThat(unexpected).isEmpty();
            assertThat(broker.queueCounts("q").get(JobState.SUCCEEDED)).isEqualTo(100L);
            assertThat(broker.queueCounts("q").get(JobState.FAILED)).isZero();
        }
    }
}
