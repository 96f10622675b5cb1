package dev.kyu.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kyu.job.Job;
import dev.kyu.job.JobIds;
import dev.kyu.job.JobState;
import dev.kyu.spi.EnqueueRequest;
import dev.kyu.spi.JobQuery;
import dev.kyu.spi.NewJob;
import dev.kyu.spi.Outcome;
import dev.kyu.spi.PruneRequest;
import dev.kyu.spi.QueueInfo;
import dev.kyu.spi.RetryRequest;
import dev.kyu.spi.StatsBucket;
import dev.kyu.spi.WorkerInfo;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Conformance: the dashboard's queries, statistics, pruning, the worker registry, shared state and awaiting a job. */
public abstract class QueryConformance extends KvConformance {

    /** Leases the one QUEUED job of {@code queue} and completes it. */
    private Job finish(String queue, Outcome outcome) {
        Job running = fetch(WORKER, 1, LONG, queue).get(0);
        assertThat(complete(running, outcome)).isTrue();
        return get(running.id());
    }

    private String finished(String queue, Outcome outcome) {
        enqueue(job("t", queue));
        return finish(queue, outcome).id();
    }

    /** Enqueues this job (its queue must have no other QUEUED job), runs it to {@code outcome}; returns its id. */
    private String finished(NewJob j, Outcome outcome) {
        enqueue(j);
        return finish(j.queue(), outcome).id();
    }

    @Nested
    @DisplayName("queues")
    class Queues {
        @Test
        void countsEveryStateAndTheOldestWaitingJob() {
            finished(Q, new Outcome.Succeeded("null"));
            finished(Q, new Outcome.Dead(error(1, "x")));
            broker.jobsCancel(List.of(enqueue(job("t"))));
            enqueue(job("t"));
            fetchOne(); // RUNNING
            enqueue(job("t").delay(LONG));
            Instant oldest = broker.now().minus(Duration.ofHours(3)).truncatedTo(ChronoUnit.SECONDS);
            enqueue(job("t"));
            enqueue(job("t").runAt(oldest));
            enqueue(job("t", "r"));

            List<QueueInfo> queues = broker.queuesList();
            assertThat(queues).extracting(QueueInfo::queue).containsExactly(Q, "r");
            QueueInfo q = queues.get(0);
            assertThat(q.paused()).isFalse();
            assertThat(q.counts())
                    .containsExactlyInAnyOrderEntriesOf(Map.of(
                            JobState.BLOCKED,
                            0L,
                            JobState.SCHEDULED,
                            1L,
                            JobState.QUEUED,
                            2L,
                            JobState.RUNNING,
                            1L,
                            JobState.SUCCEEDED,
                            1L,
                            JobState.FAILED,
                            1L,
                            JobState.CANCELLED,
                            1L));
            assertThat(q.oldestQueuedAt()).isEqualTo(oldest);
            assertThat(queues.get(1).counts())
                    .containsEntry(JobState.QUEUED, 1L)
                    .containsEntry(JobState.RUNNING, 0L);
            assertThat(broker.queueCounts(Q)).isEqualTo(q.counts());
        }

        @Test
        void oldestQueuedAtIsNullWithoutQueuedJobs() {
            enqueue(job("t").delay(LONG));
            assertThat(broker.queuesList()).singleElement().satisfies(q -> {
                assertThat(q.oldestQueuedAt()).isNull();
                assertThat(q.count(JobState.SCHEDULED)).isEqualTo(1);
            });
        }

        @Test
        void aQueueWithNoJobsLeftIsNotListed() {
            String id = enqueue(job("t", "gone"));
            broker.jobsDelete(List.of(id));
            assertThat(broker.queuesList()).extracting(QueueInfo::queue).doesNotContain("gone");
            assertThat(broker.queueCounts("gone").values()).containsOnly(0L);
        }
    }

    @Nested
    @DisplayName("listing jobs")
    class Listing {
        @Test
        void filtersByStateQueueAndTask() {
            String mail = enqueue(job("mail.send", "a"));
            String resize = enqueue(job("image.resize", "b"));
            String failed = finished("c", new Outcome.Dead(error(1, "x")));

            assertThat(ids(broker.jobsList(JobQuery.all(10).withState(JobState.FAILED))))
                    .containsExactly(failed);
            assertThat(ids(broker.jobsList(JobQuery.all(10).withQueue("b")))).containsExactly(resize);
            assertThat(ids(broker.jobsList(JobQuery.all(10).withTask("mail.send"))))
                    .containsExactly(mail);
            assertThat(broker.jobsList(JobQuery.all(10).withTask("mail.send").withState(JobState.RUNNING)))
                    .isEmpty();
            assertThat(broker.jobsList(JobQuery.all(10))).hasSize(3);
        }

        @Test
        void textMatchesIdTaskArgsAndLastErrorMessage() {
            String byArgs = enqueue(job("t").args("{\"order\":\"needle-42\"}"));
            String byTask = enqueue(job("reports.needle-task"));
            enqueue(job("t", "e").args("{}"));
            String byError = finish("e", new Outcome.Dead(error(1, "kaboom-7 while charging")))
                    .id();
            enqueue(job("t").args("{\"order\":\"hay\"}"));

            assertThat(ids(broker.jobsList(JobQuery.all(10).withText("needle"))))
                    .containsExactlyInAnyOrder(byArgs, byTask);
            assertThat(ids(broker.jobsList(JobQuery.all(10).withText("kaboom-7"))))
                    .containsExactly(byError);
            assertThat(ids(broker.jobsList(JobQuery.all(10).withText(byArgs.substring(24)))))
                    .containsExactly(byArgs);
            // Any case, on every engine.
            assertThat(ids(broker.jobsList(JobQuery.all(10).withText("NEEDLE"))))
                    .containsExactlyInAnyOrder(byArgs, byTask);
            assertThat(ids(broker.jobsList(JobQuery.all(10).withText("KaBoom-7"))))
                    .containsExactly(byError);
            assertThat(ids(broker.jobsList(
                            JobQuery.all(10).withText(byArgs.substring(24).toUpperCase(java.util.Locale.ROOT)))))
                    .containsExactly(byArgs);
        }

        @Test
        void pagesComeNewestFirst() {
            var all = new ArrayList<String>();
            for (int i = 0; i < 25; i++) all.add(enqueue(job("t")));
            List<String> newestFirst = all.reversed();
            assertThat(ids(broker.jobsList(JobQuery.all(10)))).containsExactlyElementsOf(newestFirst.subList(0, 10));
            assertThat(ids(broker.jobsList(JobQuery.all(10).withOffset(10))))
                    .containsExactlyElementsOf(newestFirst.subList(10, 20));
            assertThat(ids(broker.jobsList(JobQuery.all(10).withOffset(20))))
                    .containsExactlyElementsOf(newestFirst.subList(20, 25));
            assertThat(broker.jobsList(JobQuery.all(10).withOffset(30))).isEmpty();
        }

        @Test
        void aCursorWalksEveryJobOnceNewestFirst() {
            var all = new ArrayList<String>();
            for (int i = 0; i < 25; i++) all.add(enqueue(job("t")));
            var seen = new ArrayList<String>();
            JobQuery q = JobQuery.all(10);
            int pages = 0;
            while (q != null) {
                List<Job> page = broker.jobsList(q);
                seen.addAll(ids(page));
                pages++;
                q = q.next(page);
            }
            assertThat(seen).containsExactlyElementsOf(all.reversed());
            assertThat(pages).isEqualTo(3);
            assertThat(broker.jobsList(JobQuery.all(10).withAfter(all.get(0)))).isEmpty();
        }

        @Test
        void aCursorKeepsTheFilters() {
            var wanted = new ArrayList<String>();
            for (int i = 0; i < 12; i++) {
                wanted.add(enqueue(job("t.a", "q-a")));
                enqueue(job("t.b", "q-a"));
                enqueue(job("t.a", "q-b"));
            }
            JobQuery q = JobQuery.all(5).withQueue("q-a").withTask("t.a").withState(JobState.QUEUED);
            List<Job> first = broker.jobsList(q);
            List<Job> second = broker.jobsList(q.next(first));
            List<Job> third = broker.jobsList(q.next(second));
            assertThat(ids(first)).containsExactlyElementsOf(wanted.reversed().subList(0, 5));
            assertThat(ids(second)).containsExactlyElementsOf(wanted.reversed().subList(5, 10));
            assertThat(ids(third)).containsExactlyElementsOf(wanted.reversed().subList(10, 12));
            assertThat(q.next(third)).isNull();
        }

        @Test
        void idsNotMadeInOrderSortAsTextAndACursorNeedNotBeAStoredId() {
            // random (version 4) ids, stored in an order unrelated to their text
            List<String> own = List.of(
                    "9f1c2a4e-0b7d-4c3e-8a51-2d6e7f809a1b",
                    "0a7e5c3d-9b1f-4e2a-b6c4-8d0f1e2a3b4c",
                    "f3e2d1c0-b9a8-4776-8564-534231201f0e",
                    "5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e",
                    "0a7e5c3d-9b1f-4e2a-b6c4-8d0f1e2a3b4d");
            for (String id : own) enqueue(NewJob.builder(id, "t").queue("q-own"));
            List<String> expected =
                    own.stream().sorted(java.util.Comparator.reverseOrder()).toList();
            JobQuery q = JobQuery.all(100).withQueue("q-own");
            assertThat(ids(broker.jobsList(q))).containsExactlyElementsOf(expected);
            assertThat(ids(broker.jobsList(q.withLimit(2).withAfter("80000000-0000-4000-8000-000000000000"))))
                    .containsExactly("5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e", "0a7e5c3d-9b1f-4e2a-b6c4-8d0f1e2a3b4d");
            assertThat(ids(broker.jobsList(q.withAfter("0a7e5c3d-9b1f-4e2a-b6c4-8d0f1e2a3b4d"))))
                    .containsExactly("0a7e5c3d-9b1f-4e2a-b6c4-8d0f1e2a3b4c");
            assertThat(broker.jobsList(q.withAfter("00000000-0000-0000-0000-000000000000")))
                    .isEmpty();
        }

        @Test
        void aQueryPagesByCursorOrOffsetNotBoth() {
            assertThatThrownBy(() -> new JobQuery(null, null, null, null, 10, 5, "x"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not both");
        }
    }

    @Nested
    @DisplayName("statistics")
    class Statistics {
        private long sum(List<StatsBucket> buckets, java.util.function.ToLongFunction<StatsBucket> f) {
            return buckets.stream().mapToLong(f).sum();
        }

        @Test
        @DisplayName(
                "per-minute buckets count succeeded, dead (failed) and retry outcomes; cancel and release are not counted")
        void bucketsCountKnownOutcomes() {
            Instant since = broker.now().minus(Duration.ofMinutes(5));
            for (int i = 0; i < 3; i++) finished(Q, new Outcome.Succeeded("null"));
            for (int i = 0; i < 2; i++) finished(Q, new Outcome.Dead(error(1, "x")));
            enqueue(job("t").maxAttempts(2));
            finish(Q, new Outcome.Retry(error(1, "again"), LONG));
            finished(Q, new Outcome.Cancelled(error(1, "stop")));
            enqueue(job("t"));
            finish(Q, new Outcome.Released(LONG));
            finished("r", new Outcome.Succeeded("null"));

            List<StatsBucket> q = broker.statsHistory(since, Q);
            assertThat(q).isNotEmpty().allSatisfy(b -> {
                assertThat(b.queue()).isEqualTo(Q);
                assertThat(b.minute()).isEqualTo(b.minute().truncatedTo(ChronoUnit.MINUTES));
            });
            assertThat(q).extracting(StatsBucket::minute).isSorted();
            assertThat(sum(q, StatsBucket::succeeded)).isEqualTo(3);
            assertThat(sum(q, StatsBucket::failed)).isEqualTo(2);
            assertThat(sum(q, StatsBucket::retried)).isEqualTo(1);

            List<StatsBucket> every = broker.statsHistory(since, null);
            assertThat(sum(every, StatsBucket::succeeded)).isEqualTo(4);
            assertThat(sum(every, StatsBucket::failed)).isEqualTo(2);
            assertThat(sum(every, StatsBucket::retried)).isEqualTo(1);
        }

        @Test
        void nothingAfterTheLastOutcome() {
            finished(Q, new Outcome.Succeeded("null"));
            assertThat(broker.statsHistory(broker.now().plus(Duration.ofMinutes(2)), null))
                    .isEmpty();
        }
    }

    @Nested
    @DisplayName("prune")
    class Pruning {
        @Test
        void deletesTerminalJobsPastTheirRetentionOnly() {
            String oldOk = finished(Q, new Outcome.Succeeded("null"));
            String oldFailed = finished(Q, new Outcome.Dead(error(1, "x")));
            String oldCancelled = enqueue(job("t"));
            broker.jobsCancel(List.of(oldCancelled));
            String waiting = enqueue(job("t").delay(LONG.multipliedBy(100)));
            Instant firstBatch = broker.now();
            advancePast(firstBatch.plus(gap()));
            String newOk = finished(Q, new Outcome.Succeeded("null"));
            String newFailed = finished(Q, new Outcome.Dead(error(1, "x")));
            Duration half = gap().dividedBy(2);

            // failed jobs are kept longer than succeeded ones; cancelled jobs go with the succeeded retention
            int n = broker.jobsPrune(new PruneRequest(half, LONG.multipliedBy(100), null, null, 100));
            assertThat(n).isEqualTo(2);
            assertThat(broker.jobGet(oldOk)).isEmpty();
            assertThat(broker.jobGet(oldCancelled)).isEmpty();
            assertThat(broker.jobGet(oldFailed)).isPresent();
            assertThat(broker.jobGet(newOk)).isPresent();

            assertThat(broker.jobsPrune(new PruneRequest(half, half, null, null, 100)))
                    .isEqualTo(1);
            assertThat(broker.jobGet(oldFailed)).isEmpty();
            assertThat(broker.jobGet(newFailed)).isPresent();
            assertThat(get(waiting).state()).isEqualTo(JobState.SCHEDULED);
            assertThat(broker.jobsPrune(new PruneRequest(half, half, null, null, 100)))
                    .isZero();
        }

        @Test
        @DisplayName(
                "a job's own result ttl stands in for the global retention, shorter or longer, however the job ended")
        void aJobsOwnResultTtlStandsInForTheGlobalRetention() {
            Duration half = gap().dividedBy(2);
            Duration forLong = LONG.multipliedBy(100);
            // one batch (the engines' multi-job insert) and single enqueues
            NewJob shortOk = job("t").resultTtl(half).build();
            NewJob plainOk = job("t").build();
            broker.jobsEnqueue(EnqueueRequest.of(List.of(shortOk, plainOk)));
            for (Job j : fetch(WORKER, 2, LONG, Q))
                assertThat(complete(j, new Outcome.Succeeded("null"))).isTrue();
            String shortFailed = finished(job("t").resultTtl(half).build(), new Outcome.Dead(error(1, "x")));
            String shortCancelled = enqueue(job("t").resultTtl(half));
            broker.jobsCancel(List.of(shortCancelled));
            String longOk = finished(job("t").resultTtl(forLong).build(), new Outcome.Succeeded("null"));
            // a retried job waits again: its ttl only counts once it ends anew
            String retried = finished(job("t").resultTtl(half).build(), new Outcome.Dead(error(1, "x")));
            assertThat(broker.jobsRetry(RetryRequest.ids(List.of(retried)))).isEqualTo(1);
            assertThat(get(shortOk.id()).resultTtl()).isEqualTo(half);
            assertThat(get(longOk).resultTtl()).isEqualTo(forLong);
            assertThat(get(plainOk.id()).resultTtl()).isNull();

            advancePast(broker.now().plus(gap()));
            // the global retention has not passed: only the jobs whose own ttl has go
            assertThat(broker.jobsPrune(new PruneRequest(forLong, forLong, null, null, 100)))
                    .isEqualTo(3);
            assertThat(broker.jobGet(shortOk.id())).isEmpty();
            assertThat(broker.jobGet(shortFailed)).isEmpty();
            assertThat(broker.jobGet(shortCancelled)).isEmpty();
            assertThat(get(plainOk.id()).state()).isEqualTo(JobState.SUCCEEDED);
            assertThat(get(retried).state()).isEqualTo(JobState.QUEUED);
            // the global retention has passed: the plain job goes, the one with a longer ttl stays
            assertThat(broker.jobsPrune(new PruneRequest(half, half, null, null, 100)))
                    .isEqualTo(1);
            assertThat(broker.jobGet(plainOk.id())).isEmpty();
            assertThat(get(longOk).state()).isEqualTo(JobState.SUCCEEDED);
            assertThat(get(retried).state()).isEqualTo(JobState.QUEUED);
            assertThat(broker.jobsPrune(new PruneRequest(half, half, null, null, 100)))
                    .isZero();
        }

        @Test
        void honoursItsLimitForJobsWithTheirOwnTtl() {
            for (int i = 0; i < 3; i++)
                finished(job("t").resultTtl(gap().dividedBy(2)).build(), new Outcome.Succeeded("null"));
            advancePast(broker.now().plus(gap()));
            var req = new PruneRequest(LONG.multipliedBy(100), LONG.multipliedBy(100), null, null, 2);
            assertThat(broker.jobsPrune(req)).isEqualTo(2);
            assertThat(broker.jobsPrune(req)).isEqualTo(1);
            assertThat(broker.jobsList(JobQuery.all(10))).isEmpty();
        }

        @Test
        void honoursItsLimit() {
            for (int i = 0; i < 3; i++) finished(Q, new Outcome.Succeeded("null"));
            advancePast(broker.now().plus(gap()));
            var req = new PruneRequest(gap().dividedBy(2), gap().dividedBy(2), null, null, 2);
            assertThat(broker.jobsPrune(req)).isEqualTo(2);
            assertThat(broker.jobsPrune(req)).isEqualTo(1);
            assertThat(broker.jobsList(JobQuery.all(10))).isEmpty();
        }

        @Test
        @DisplayName("drops statistics buckets whose minute began before now - statsRetention")
        void dropsOldStatistics() {
            finished(Q, new Outcome.Succeeded("null"));
            Instant since = broker.now().minus(Duration.ofHours(1));
            advancePast(broker.now().plus(gap()));
            broker.jobsPrune(
                    new PruneRequest(LONG.multipliedBy(100), LONG.multipliedBy(100), gap().dividedBy(2), null, 100));
            assertThat(broker.statsHistory(since, null)).isEmpty();
        }
    }

    @Nested
    @DisplayName("worker registry")
    class Workers {
        private WorkerInfo worker(String id, int busy) {
            return new WorkerInfo(
                    id,
                    "host-1",
                    4242,
                    List.of("a", "b"),
                    8,
                    busy,
                    Instant.parse("2030-01-01T00:00:00Z"),
                    Instant.EPOCH,
                    0.5,
                    1_000_000L,
                    10,
                    2,
                    Map.of("version", "1.0"));
        }

        @Test
        void heartbeatStoresTheReportStampedByTheEngine() {
            Instant before = broker.now();
            broker.workerHeartbeat(worker("w1", 3));
            Instant after = broker.now();
            WorkerInfo w = broker.workersList().stream()
                    .filter(x -> x.id().equals("w1"))
                    .findFirst()
                    .orElseThrow();
            assertStampedBetween(w.heartbeatAt(), before, after);
            assertThat(w)
                    .usingRecursiveComparison()
                    .ignoringFields("heartbeatAt", "startedAt")
                    .isEqualTo(worker("w1", 3));
            assertSameInstant(w.startedAt(), Instant.parse("2030-01-01T00:00:00Z"));

            broker.workerHeartbeat(worker("w1", 5));
            broker.workerHeartbeat(worker("w2", 0));
            assertThat(broker.workersList()).extracting(WorkerInfo::id).containsExactlyInAnyOrder("w1", "w2");
            assertThat(broker.workersList())
                    .filteredOn(x -> x.id().equals("w1"))
                    .extracting(WorkerInfo::busy)
                    .containsExactly(5);

            broker.workerRemove("w1");
            assertThat(broker.workersList()).extracting(WorkerInfo::id).containsExactly("w2");
        }

        @Test
        void pruneForgetsSilentWorkers() {
            broker.workerHeartbeat(worker("silent", 0));
            advancePast(broker.now().plus(gap()));
            broker.workerHeartbeat(worker("alive", 0));
            broker.jobsPrune(new PruneRequest(LONG, LONG, LONG, gap().dividedBy(2), 100));
            assertThat(broker.workersList()).extracting(WorkerInfo::id).containsExactly("alive");
        }
    }

    @Nested
    @DisplayName("shared state: key-value and locks")
    class SharedState {
        @Test
        void keyValuePutGetDeleteAndListByPrefix() {
            assertThat(broker.kvGet("schedule:a")).isEmpty();
            broker.kvPut("schedule:b", "{\"last\":\"2030-01-01T00:00:00Z\"}");
            broker.kvPut("schedule:a", "1");
            broker.kvPut("schedule:a", "2 ünï");
            broker.kvPut("schedules", "x");
            broker.kvPut("other:a", "y");
            assertThat(broker.kvGet("schedule:a")).contains("2 ünï");
            assertThat(broker.kvList("schedule:"))
                    .containsExactly(
                            Map.entry("schedule:a", "2 ünï"),
                            Map.entry("schedule:b", "{\"last\":\"2030-01-01T00:00:00Z\"}"));
            broker.kvDelete("schedule:a");
            broker.kvDelete("never-there");
            assertThat(broker.kvGet("schedule:a")).isEmpty();
            assertThat(broker.kvList("schedule:").keySet()).containsExactly("schedule:b");
            assertThat(broker.kvList("")).hasSize(3);
        }

        @Test
        void aLockIsExclusiveRenewableByItsOwnerAndReleasable() {
            assertThat(broker.lockTry("leader", "A", LONG)).isTrue();
            assertThat(broker.lockTry("leader", "B", LONG)).isFalse();
            assertThat(broker.lockTry("leader", "A", LONG)).isTrue();
            broker.lockRelease("leader", "B");
            assertThat(broker.lockTry("leader", "B", LONG)).isFalse();
            broker.lockRelease("leader", "A");
            assertThat(broker.lockTry("leader", "B", LONG)).isTrue();
            assertThat(broker.lockTry("other", "A", LONG)).isTrue();
        }

        @Test
        void anExpiredLockCanBeTakenOver() {
            Instant before = broker.now();
            assertThat(broker.lockTry("leader", "A", shortLease())).isTrue();
            advancePast(before.plus(shortLease()).plusMillis(50));
            assertThat(broker.lockTry("leader", "B", LONG)).isTrue();
            assertThat(broker.lockTry("leader", "A", LONG)).isFalse();
        }
    }

    /** An await of {@code id} running on its own thread; {@link #join} gives its answer. */
    private final class AwaitThread {
        private final java.util.concurrent.atomic.AtomicReference<Object> answer =
                new java.util.concurrent.atomic.AtomicReference<>();
        private final Thread thread;

        AwaitThread(String id, Duration timeout) {
            thread = Thread.ofPlatform().name("kyu-await-" + id).start(() -> {
                try {
                    answer.set(broker.jobAwait(id, timeout));
                } catch (InterruptedException | RuntimeException e) {
                    answer.set(e);
                }
            });
        }

        /** Waits (a generous bound, not a speed check) for the await to return and gives its answer. */
        @SuppressWarnings("unchecked")
        Optional<Job> join() throws InterruptedException {
            thread.join(Duration.ofSeconds(30));
            assertThat(thread.isAlive()).as("the await returned within 30 s").isFalse();
            assertThat(answer.get()).as("the await's answer").isInstanceOf(Optional.class);
            return (Optional<Job>) answer.get();
        }
    }

    @Nested
    @DisplayName("awaiting a job")
    class Await {
        @Test
        void returnsTheTerminalJobWhenAnotherThreadCompletesIt() throws Exception {
            String id = enqueue(job("t"));
            Job running = fetchOne();
            var waiting = new AwaitThread(id, Duration.ofSeconds(60));
            var completer = Thread.ofPlatform().start(() -> complete(running, new Outcome.Succeeded("\"done\"")));
            completer.join(Duration.ofSeconds(30));
            Optional<Job> j = waiting.join();
            assertThat(j).isPresent();
            assertThat(j.get().state()).isEqualTo(JobState.SUCCEEDED);
            assertThat(j.get().result()).isEqualTo("\"done\"");
        }

        @Test
        void keepsWaitingThroughOtherJobsEndingUntilItsOwnEnds() throws Exception {
            String id = enqueue(job("t"));
            Job running = fetchOne();
            var waiting = new AwaitThread(id, Duration.ofSeconds(60));
            finished("other", new Outcome.Succeeded("null"));
            broker.jobsCancel(List.of(enqueue(job("t", "other"))));
            complete(running, new Outcome.Dead(error(1, "x")));
            Optional<Job> j = waiting.join();
            assertThat(j).get().extracting(Job::state).isEqualTo(JobState.FAILED);
            assertThat(j.get().id()).isEqualTo(id);
        }

        @Test
        void isWokenByACancel() throws Exception {
            String id = enqueue(job("t"));
            var waiting = new AwaitThread(id, Duration.ofSeconds(60));
            assertThat(broker.jobsCancel(List.of(id))).containsExactly(dev.kyu.spi.CancelResult.CANCELLED);
            assertThat(waiting.join()).get().extracting(Job::state).isEqualTo(JobState.CANCELLED);
        }

        @Test
        void returnsTheJobAsItIsWhenTheTimeoutPasses() throws Exception {
            String id = enqueue(job("t"));
            Optional<Job> j = broker.jobAwait(id, Duration.ofMillis(100));
            assertThat(j).isPresent();
            assertThat(j.get().state()).isEqualTo(JobState.QUEUED);
            fetchOne();
            Optional<Job> running = new AwaitThread(id, Duration.ofMillis(200)).join();
            assertThat(running).get().extracting(Job::state).isEqualTo(JobState.RUNNING);
        }

        @Test
        void returnsEmptyForAnUnknownJobAndAtOnceForAFinishedOne() throws Exception {
            assertThat(broker.jobAwait(JobIds.next(), Duration.ofSeconds(60))).isEmpty();
            String id = finished(Q, new Outcome.Dead(error(1, "x")));
            assertThat(broker.jobAwait(id, Duration.ofSeconds(60)))
                    .get()
                    .extracting(Job::state)
                    .isEqualTo(JobState.FAILED);
        }
    }
}
