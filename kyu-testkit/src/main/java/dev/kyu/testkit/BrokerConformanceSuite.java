package dev.kyu.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.kyu.job.Job;
import dev.kyu.job.JobError;
import dev.kyu.job.JobIds;
import dev.kyu.job.JobState;
import dev.kyu.job.UniqueScope;
import dev.kyu.spi.Broker;
import dev.kyu.spi.Completion;
import dev.kyu.spi.EnqueueRequest;
import dev.kyu.spi.EnqueueResult;
import dev.kyu.spi.FetchRequest;
import dev.kyu.spi.JobQuery;
import dev.kyu.spi.NewJob;
import dev.kyu.spi.Outcome;
import dev.kyu.spi.PruneRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The broker conformance suite: the executable form of the promises of docs/delivery.md and of the
 * {@link Broker} contract. An engine passes it by one subclass that implements the two methods below;
 * every nested group of this class and of the classes it extends runs for that subclass.
 *
 * <pre>{@code
 * class SqliteConformanceTest extends BrokerConformanceSuite {
 *     protected Broker openBroker(Clock clock) { return Brokers.open(BrokerConfig.of("sqlite:" + tmp).withClock(clock)); }
 *     protected String insertCorruptJob(Broker broker, String queue) { ... write a garbage row ... }
 * }
 * }</pre>
 *
 * Tests depend on {@link dev.kyu.spi.Capability capabilities} only, never on the engine's name: with
 * INJECTABLE_CLOCK time is moved by hand, otherwise short real durations are waited out. See
 * {@code docs/conformance.md}.
 */
public abstract class BrokerConformanceSuite extends QueryConformance {

    /** A fresh, empty broker for each test; the clock is honoured by engines with INJECTABLE_CLOCK. The suite closes it after each test. */
    @Override
    protected abstract Broker openBroker(Clock clock) throws Exception;

    /** Writes one undecodable job for `queue` straight into the engine's storage (a garbage row / hash), bypassing the SPI; returns its id. */
    @Override
    protected abstract String insertCorruptJob(Broker broker, String queue) throws Exception;

    @Nested
    @DisplayName("concurrency")
    class Concurrency {
        @Test
        @DisplayName("8 threads fetching and completing 2,000 jobs: each is fetched exactly once")
        void everyJobIsFetchedExactlyOnce() throws Exception {
            int total = 2000, threads = 8;
            var all = new HashSet<String>();
            for (int b = 0; b < total / 100; b++) {
                var batch = new ArrayList<NewJob>();
                for (int i = 0; i < 100; i++)
                    batch.add(job("t").args("{\"n\":" + (b * 100 + i) + "}").build());
                broker.jobsEnqueue(EnqueueRequest.of(batch)).forEach(r -> all.add(r.id()));
            }
            var seen = new ConcurrentHashMap<String, AtomicInteger>();
            var fetched = new AtomicInteger();
            var start = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                var futures = new ArrayList<Future<?>>();
                for (int t = 0; t < threads; t++) {
                    String worker = "worker-" + t;
                    futures.add(pool.submit(() -> {
                        start.await();
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                        while (fetched.get() < total && System.nanoTime() < deadline) {
                            List<Job> got = broker.jobsFetch(
                                    new FetchRequest(worker, List.of(Q), 10, LONG, Duration.ofMillis(50)));
                            fetched.addAndGet(got.size());
                            var done = new ArrayList<Completion>();
                            for (Job j : got) {
                                seen.computeIfAbsent(j.id(), k -> new AtomicInteger())
                                        .incrementAndGet();
                                done.add(new Completion(j.lease(), new Outcome.Succeeded(j.args())));
                            }
                            if (!done.isEmpty())
                                assertThat(broker.jobsComplete(done)).containsOnly(true);
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> f : futures) f.get(180, TimeUnit.SECONDS);
            } finally {
                pool.shutdownNow();
            }
            assertThat(seen.keySet()).isEqualTo(all);
            assertThat(seen.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
            assertThat(broker.queueCounts(Q).get(JobState.SUCCEEDED)).isEqualTo((long) total);
            assertThat(broker.queueCounts(Q).get(JobState.RUNNING)).isZero();
        }

        @Test
        void concurrentEnqueuesOfOneUniqueKeyCreateOneJob() throws Exception {
            int threads = 8;
            var start = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                var futures = new ArrayList<Future<EnqueueResult>>();
                for (int t = 0; t < threads; t++) {
                    futures.add(pool.submit(() -> {
                        start.await();
                        return enqueueOne(job("t").unique("tick:12:00", UniqueScope.ACTIVE, null)
                                .build());
                    }));
                }
                start.countDown();
                var results = new ArrayList<EnqueueResult>();
                for (var f : futures) results.add(f.get(60, TimeUnit.SECONDS));
                assertThat(results).filteredOn(EnqueueResult::created).hasSize(1);
                assertThat(results)
                        .extracting(EnqueueResult::id)
                        .containsOnly(results.stream()
                                .filter(EnqueueResult::created)
                                .findFirst()
                                .orElseThrow()
                                .id());
            } finally {
                pool.shutdownNow();
            }
            assertThat(broker.queueCounts(Q).get(JobState.QUEUED)).isEqualTo(1L);
        }

        @Test
        @DisplayName("two holders racing to complete one job: only the current lease wins")
        void concurrentCompletesOfOneJobApplyOnce() throws Exception {
            String id = enqueue(job("t").maxAttempts(3));
            Job old = fetch(WORKER, 1, shortLease(), Q).get(0);
            advancePast(old.leaseExpiresAt());
            broker.leasesRescueExpired(10);
            Job current = fetch("worker-2", 1, LONG, Q).get(0);
            var start = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                Future<Boolean> a = pool.submit(() -> {
                    start.await();
                    return complete(old, new Outcome.Succeeded("\"old\""));
                });
                Future<Boolean> b = pool.submit(() -> {
                    start.await();
                    return complete(current, new Outcome.Succeeded("\"new\""));
                });
                start.countDown();
                assertThat(a.get(60, TimeUnit.SECONDS)).isFalse();
                assertThat(b.get(60, TimeUnit.SECONDS)).isTrue();
            } finally {
                pool.shutdownNow();
            }
            assertThat(get(id).result()).isEqualTo("\"new\"");
        }
    }

    @Nested
    @DisplayName("bad payloads")
    class BadPayloads {
        @Test
        @DisplayName("args that are not valid JSON are stored and handed out byte-exact: the engine never parses args")
        void invalidJsonArgsAreKeptByteExact() {
            List<String> payloads = List.of(
                    "{not json",
                    "",
                    "[1,2,",
                    "  {\"a\" :  1 }  ",
                    "😀 ünïcödé \t\\u0041 \"",
                    "{\"big\":\"" + "x".repeat(100_000) + "\"}");
            var ids = new ArrayList<String>();
            for (String p : payloads) ids.add(enqueue(job("t").args(p)));
            for (int i = 0; i < payloads.size(); i++)
                assertThat(get(ids.get(i)).args()).isEqualTo(payloads.get(i));
            List<Job> got = fetch(10);
            assertThat(got).extracting(Job::args).containsExactlyElementsOf(payloads);
        }

        @Test
        @DisplayName(
                "a corrupt stored job never breaks fetch, queries or maintenance; it ends FAILED with kyu.CorruptJob")
        void aCorruptJobIsQuarantinedWhileGoodJobsFlow() throws Exception {
            String before = enqueue(job("t").args("{\"good\":1}"));
            String corrupt = insertCorruptJob(broker, Q);
            String after = enqueue(job("t").args("{\"good\":2}"));

            assertThatCode(() -> {
                        broker.jobsList(JobQuery.all(100));
                        broker.jobsList(JobQuery.all(100).withText("good"));
                        broker.queuesList();
                        broker.jobGet(corrupt);
                    })
                    .doesNotThrowAnyException();

            var fetched = new HashSet<String>();
            for (int i = 0; i < 5 && fetched.size() < 2; i++) {
                for (Job j : fetch(10)) {
                    fetched.add(j.id());
                    assertThat(complete(j, new Outcome.Succeeded("null"))).isTrue();
                }
            }
            assertThat(fetched).containsExactlyInAnyOrder(before, after);

            assertThatCode(() -> {
                        broker.jobsPromoteDue(100);
                        broker.leasesRescueExpired(100);
                        broker.jobsPrune(PruneRequest.defaults());
                    })
                    .doesNotThrowAnyException();

            Job j = get(corrupt);
            assertThat(j.state()).isEqualTo(JobState.FAILED);
            assertThat(j.queue()).isEqualTo(Q);
            assertThat(j.lastError()).isNotNull();
            assertThat(j.lastError().type()).isEqualTo(JobError.CORRUPT);
            assertThat(broker.queueCounts(Q))
                    .containsEntry(JobState.FAILED, 1L)
                    .containsEntry(JobState.SUCCEEDED, 2L)
                    .containsEntry(JobState.QUEUED, 0L);
            assertThat(broker.jobsList(JobQuery.all(100).withState(JobState.FAILED)))
                    .extracting(Job::id)
                    .containsExactly(corrupt);
        }

        @Test
        @DisplayName(
                "rows that bypass the input contract are quarantined by the claim, never run, and the good jobs around them flow")
        void rowsBreakingTheContractAreQuarantinedAtClaim() throws Exception {
            Instant now = broker.now();
            RawJob sound = RawJob.queued(Q, now.minusSeconds(1));
            // what each bad row breaks, and a word the reason names it by
            var cases = new LinkedHashMap<String, RawJob>();
            cases.put("args", sound.withArgs(null));
            cases.put("id", sound.withId("not-a-uuid-" + JobIds.next().substring(0, 8)));
            cases.put("attempt", RawJob.queued(Q, now).withAttempt(-1));
            cases.put("max", RawJob.queued(Q, now).withMaxAttempts(0));
            cases.put("scheduled", RawJob.queued(Q, now).withScheduledAt(Instant.MAX));
            cases.put("enqueued", RawJob.queued(Q, now).withEnqueuedAt(Instant.MAX));
            cases.put("task", RawJob.queued(Q, now).withTask("bad task name"));
            String before = enqueue(job("t").args("{\"good\":1}"));
            var planted = new LinkedHashMap<String, String>();
            for (var c : cases.entrySet()) {
                String id = plantRawJob(broker, c.getValue());
                if (id != null) planted.put(c.getKey(), id);
            }
            String after = enqueue(job("t").args("{\"good\":2}"));

            var fetched = new ArrayList<String>();
            for (int i = 0; i < 2 * cases.size(); i++) {
                List<Job> got = fetch(10);
                if (got.isEmpty()) break;
                for (Job j : got) {
                    fetched.add(j.id());
                    assertThat(complete(j, new Outcome.Succeeded("null"))).isTrue();
                }
            }
            assertThat(fetched).as("only the sound jobs are handed out").containsExactlyInAnyOrder(before, after);
            // listed rather than got by id: a row whose id is no UUID cannot be asked for by id
            var failed = new java.util.HashMap<String, Job>();
            broker.jobsList(
                    JobQuery.all(100)); // a quarantined row is read as it is from then on, not quarantined again
            for (Job j : broker.jobsList(JobQuery.all(100).withState(JobState.FAILED))) failed.put(j.id(), j);
            planted.forEach((word, id) -> {
                Job j = failed.get(id);
                assertThat(j).as("row breaking %s, listed as FAILED", word).isNotNull();
                assertThat(j.state()).as("row breaking %s", word).isEqualTo(JobState.FAILED);
                assertThat(j.lastError().type()).as("row breaking %s", word).isEqualTo(JobError.CORRUPT);
                assertThat(j.errors())
                        .as("row breaking %s: quarantined once", word)
                        .hasSize(1);
                assertThat(j.lastError().message() + " " + j.lastError().stackTrace())
                        .as("reason for the row breaking %s", word)
                        .containsIgnoringCase(word);
            });
            if (planted.containsKey("id"))
                assertThat(failed.get(planted.get("id")).args())
                        .as("the row's data is kept")
                        .isEqualTo("{}");
            assertThat(broker.queueCounts(Q))
                    .containsEntry(JobState.QUEUED, 0L)
                    .containsEntry(JobState.RUNNING, 0L)
                    .containsEntry(JobState.FAILED, (long) planted.size());
        }

        @Test
        @DisplayName(
                "a row whose attempt is at the int limit (a lease cannot count past it) is quarantined at claim, and the claim goes on")
        void aRowAtTheAttemptLimitIsQuarantinedAtClaim() throws Exception {
            Instant now = broker.now();
            String before = enqueue(job("t").args("{\"good\":1}"));
            String bad = plantRawJob(broker, RawJob.queued(Q, now).withAttempt(Integer.MAX_VALUE));
            String after = enqueue(job("t").args("{\"good\":2}"));
            assertThat(bad).as("every engine can store the largest int").isNotNull();

            var fetched = new ArrayList<String>();
            for (int i = 0; i < 4; i++) {
                List<Job> got = fetch(10);
                if (got.isEmpty()) break;
                for (Job j : got) {
                    fetched.add(j.id());
                    assertThat(complete(j, new Outcome.Succeeded("null"))).isTrue();
                }
            }
            assertThat(fetched).as("only the sound jobs are handed out").containsExactlyInAnyOrder(before, after);
            Job j = get(bad);
            assertThat(j.state()).isEqualTo(JobState.FAILED);
            assertThat(j.lastError().type()).isEqualTo(JobError.CORRUPT);
            assertThat(broker.queueCounts(Q))
                    .containsEntry(JobState.RUNNING, 0L)
                    .containsEntry(JobState.FAILED, 1L);
        }

        @Test
        @DisplayName(
                "a job due past the range any enqueue accepts (infinity) is quarantined by the sweep, not left waiting for ever")
        void aJobDueBeyondTheRangeIsQuarantinedBySweep() throws Exception {
            Instant now = broker.now();
            String never = plantRawJob(
                    broker, RawJob.queued(Q, now).withState("SCHEDULED").withScheduledAt(Instant.MAX));
            String later = enqueue(job("t").runAt(now.plus(LONG)));
            assertThat(never).as("every engine can store a far due time").isNotNull();

            broker.jobsPromoteDue(100);
            Job j = get(never);
            assertThat(j.state()).isEqualTo(JobState.FAILED);
            assertThat(j.lastError().type()).isEqualTo(JobError.CORRUPT);
            assertThat(j.lastError().message() + " " + j.lastError().stackTrace())
                    .containsIgnoringCase("scheduled");
            assertThat(j.args()).isEqualTo("{}");
            assertThat(get(later).state()).isEqualTo(JobState.SCHEDULED);
            assertThat(fetch(10)).isEmpty();
        }

        @Test
        @DisplayName(
                "a job of a queue whose name no worker can ask for is quarantined by the sweep, not left waiting for ever")
        void aJobOfAnUnreachableQueueIsQuarantinedBySweep() throws Exception {
            String stranded = plantRawJob(broker, RawJob.queued("bad queue\t", broker.now()));
            String good = enqueue(job("t"));
            assertThat(stranded).as("every engine can store any queue name").isNotNull();

            broker.jobsPrune(PruneRequest.defaults());
            Job j = get(stranded);
            assertThat(j.state()).isEqualTo(JobState.FAILED);
            assertThat(j.lastError().type()).isEqualTo(JobError.CORRUPT);
            assertThat(j.lastError().message() + " " + j.lastError().stackTrace())
                    .containsIgnoringCase("queue");
            assertThat(j.args()).isEqualTo("{}");
            assertThat(get(good).state()).isEqualTo(JobState.QUEUED);
        }

        @Test
        @DisplayName("a corrupt job met first by a query is quarantined too and never handed out")
        void aCorruptJobMetByAQueryFirst() throws Exception {
            String corrupt = insertCorruptJob(broker, Q);
            assertThatCode(() -> broker.jobsList(JobQuery.all(100))).doesNotThrowAnyException();
            assertThat(fetch(10)).isEmpty();
            broker.jobsPromoteDue(100);
            broker.leasesRescueExpired(100);
            assertThat(get(corrupt).state()).isEqualTo(JobState.FAILED);
        }
    }
}
