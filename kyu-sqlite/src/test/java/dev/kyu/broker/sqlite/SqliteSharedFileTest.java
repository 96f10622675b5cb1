package dev.kyu.broker.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kyu.job.Job;
import dev.kyu.job.JobIds;
import dev.kyu.spi.EnqueueRequest;
import dev.kyu.spi.FetchRequest;
import dev.kyu.spi.NewJob;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two broker instances on one file stand in for two processes: each has its own connections and its
 * own in-process signal, so all they share is the file, as separate processes would.
 */
class SqliteSharedFileTest {
    @TempDir
    Path dir;

    @Test
    void concurrentFetchersOnTwoInstancesNeverShareAJob() throws Exception {
        Path file = dir.resolve("shared.db");
        int jobs = 2000;
        try (SqliteBroker a = SqliteTesting.open(file, Clock.systemUTC());
                SqliteBroker b = SqliteTesting.open(file, Clock.systemUTC())) {
            var batch = new ArrayList<NewJob>();
            for (int i = 0; i < jobs; i++)
                batch.add(NewJob.builder(JobIds.next(), "t")
                        .queue("q")
                        .args("{\"n\":" + i + "}")
                        .build());
            a.jobsEnqueue(EnqueueRequest.of(batch));

            Set<String> seen = ConcurrentHashMap.newKeySet();
            AtomicInteger duplicates = new AtomicInteger();
            var threads = new ArrayList<Thread>();
            var start = new CountDownLatch(1);
            for (int t = 0; t < 6; t++) {
                SqliteBroker broker = t % 2 == 0 ? a : b;
                String worker = "w" + t;
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                        while (true) {
                            List<Job> got = broker.jobsFetch(
                                    new FetchRequest(worker, List.of("q"), 7, Duration.ofMinutes(1), Duration.ZERO));
                            if (got.isEmpty()) return;
                            for (Job j : got) if (!seen.add(j.id())) duplicates.incrementAndGet();
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            start.countDown();
            for (Thread t : threads) t.join();
            assertThat(duplicates.get()).isZero();
            assertThat(seen).hasSize(jobs);
        }
    }

    @Test
    void aBlockedFetchSeesAJobEnqueuedByTheOtherInstance() throws Exception {
        Path file = dir.resolve("poll.db");
        try (SqliteBroker fetcher = SqliteTesting.open(file, Clock.systemUTC(), "pollInterval=50ms");
                SqliteBroker producer = SqliteTesting.open(file, Clock.systemUTC())) {
            var fetch = SqliteTesting.fetchInBackground(fetcher, "q", Duration.ofSeconds(30));
            await().atMost(Duration.ofSeconds(5)).until(fetch::blocked);
            String id = SqliteTesting.enqueue(producer, "q");
            // Far less than the 30 s wait: the poll, not the timeout, found it.
            await().atMost(Duration.ofSeconds(5)).until(() -> fetch.result().get() != null);
            assertThat(fetch.result().get()).extracting(Job::id).containsExactly(id);
            fetch.thread().join();
        }
    }

    @Test
    void aBlockedFetchWakesOnTheOtherInstancesCommitWithoutPolling() throws Exception {
        // Linux reports file writes at once (inotify); other platforms' watchers may poll slowly.
        org.junit.jupiter.api.Assumptions.assumeTrue(
                System.getProperty("os.name").toLowerCase().contains("linux"), "needs inotify");
        Path file = dir.resolve("watch.db");
        // A poll interval far longer than the test: only the watch on the WAL file can wake the fetch.
        try (SqliteBroker fetcher = SqliteTesting.open(file, Clock.systemUTC(), "pollInterval=1h");
                SqliteBroker producer = SqliteTesting.open(file, Clock.systemUTC())) {
            var fetch = SqliteTesting.fetchInBackground(fetcher, "q", Duration.ofMinutes(10));
            await().atMost(Duration.ofSeconds(5)).until(() -> fetch.thread().getState() == Thread.State.TIMED_WAITING);
            for (int i = 0; i < 3; i++) {
                // Other writes to the file (other queues) wake the fetch too; it finds nothing and waits on.
                SqliteTesting.enqueue(producer, "elsewhere");
            }
            String id = SqliteTesting.enqueue(producer, "q");
            await().atMost(Duration.ofSeconds(5)).until(() -> fetch.result().get() != null);
            assertThat(fetch.result().get()).extracting(Job::id).containsExactly(id);
            fetch.thread().join();
        }
    }

    @Test
    void aBlockedFetchWakesOnThisInstancesEnqueueAndOnClose() throws Exception {
        Path file = dir.resolve("wake.db");
        // A poll interval far longer than the test: only the in-process signal can wake the fetch.
        SqliteBroker b = SqliteTesting.open(file, Clock.systemUTC(), "pollInterval=1h");
        var first = SqliteTesting.fetchInBackground(b, "q", Duration.ofMinutes(10));
        await().atMost(Duration.ofSeconds(5)).until(first::blocked);
        String id = SqliteTesting.enqueue(b, "q");
        await().atMost(Duration.ofSeconds(5)).until(() -> first.result().get() != null);
        assertThat(first.result().get()).extracting(Job::id).containsExactly(id);

        var second = SqliteTesting.fetchInBackground(b, "q", Duration.ofMinutes(10));
        await().atMost(Duration.ofSeconds(5)).until(() -> second.thread().getState() == Thread.State.TIMED_WAITING);
        b.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> second.result().get() != null);
        assertThat(second.result().get()).isEmpty();
    }

    @Test
    void aBlockedFetchReturnsEmptyWhenInterrupted() throws Exception {
        try (SqliteBroker b = SqliteTesting.open(dir.resolve("int.db"), Clock.systemUTC())) {
            var got = new AtomicReference<List<Job>>();
            var flag = new AtomicReference<Boolean>();
            Thread t = Thread.ofPlatform().start(() -> {
                try {
                    got.set(b.jobsFetch(
                            new FetchRequest("w", List.of("q"), 1, Duration.ofMinutes(1), Duration.ofMinutes(10))));
                } catch (InterruptedException e) {
                    got.set(List.of());
                }
                flag.set(Thread.currentThread().isInterrupted());
            });
            await().atMost(Duration.ofSeconds(5)).until(() -> t.getState() == Thread.State.TIMED_WAITING);
            t.interrupt();
            t.join(5000);
            assertThat(got.get()).isEmpty();
        }
    }

    @Test
    void completionsFromOneInstanceAreFencedAgainstTheOther() {
        Path file = dir.resolve("fence.db");
        var clock = new dev.kyu.ManualClock(java.time.Instant.parse("2026-01-01T00:00:00Z"));
        try (SqliteBroker a = SqliteTesting.open(file, clock);
                SqliteBroker b = SqliteTesting.open(file, clock)) {
            String id = SqliteTesting.enqueue(
                    a,
                    NewJob.builder(JobIds.next(), "t").queue("q").maxAttempts(3).build());
            Job first = fetchOne(a, "wa");
            clock.advance(Duration.ofMinutes(2));
            assertThat(b.leasesRescueExpired(10).requeued()).containsExactly(id);
            Job second = fetchOne(b, "wb");
            assertThat(second.attempt()).isEqualTo(2);
            var late = a.jobsComplete(
                    List.of(new dev.kyu.spi.Completion(first.lease(), new dev.kyu.spi.Outcome.Succeeded("1"))));
            assertThat(late).containsExactly(false);
            var ok = b.jobsComplete(
                    List.of(new dev.kyu.spi.Completion(second.lease(), new dev.kyu.spi.Outcome.Succeeded("2"))));
            assertThat(ok).containsExactly(true);
            assertThat(a.jobGet(id).orElseThrow().result()).isEqualTo("2");
        }
    }

    private static Job fetchOne(SqliteBroker b, String worker) {
        try {
            List<Job> got =
                    b.jobsFetch(new FetchRequest(worker, List.of("q"), 1, Duration.ofMinutes(1), Duration.ZERO));
            assertThat(got).hasSize(1);
            return got.get(0);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** The poll is ten minutes: only the watch of the other instance's WAL write can end the await in time. */
    @Test
    void anAwaitIsEndedByACompletionTheOtherInstanceCommits() throws Exception {
        Path file = dir.resolve("await.db");
        try (SqliteBroker waiter = SqliteTesting.open(file, Clock.systemUTC(), "pollInterval=10m");
                SqliteBroker worker = SqliteTesting.open(file, Clock.systemUTC())) {
            String id = SqliteTesting.enqueue(worker, "q");
            Job running = worker.jobsFetch(SqliteTesting.fetch("w", 1, "q")).get(0);
            var answer = new AtomicReference<java.util.Optional<Job>>();
            Thread awaiting = Thread.ofPlatform().start(() -> {
                try {
                    answer.set(waiter.jobAwait(id, Duration.ofMinutes(5)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertThat(worker.jobsComplete(List.of(
                            new dev.kyu.spi.Completion(running.lease(), new dev.kyu.spi.Outcome.Succeeded("1")))))
                    .containsExactly(true);
            awaiting.join(Duration.ofSeconds(60));
            assertThat(awaiting.isAlive()).isFalse();
            assertThat(answer.get()).get().extracting(Job::state).isEqualTo(dev.kyu.job.JobState.SUCCEEDED);
        }
    }
}
