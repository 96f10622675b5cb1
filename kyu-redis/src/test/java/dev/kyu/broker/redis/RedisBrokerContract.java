package dev.kyu.broker.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kyu.KyuException;
import dev.kyu.job.Job;
import dev.kyu.job.JobError;
import dev.kyu.job.JobIds;
import dev.kyu.job.JobLinks;
import dev.kyu.job.JobState;
import dev.kyu.job.Lease;
import dev.kyu.spi.Brokers;
import dev.kyu.spi.Capability;
import dev.kyu.spi.Completion;
import dev.kyu.spi.EnqueueRequest;
import dev.kyu.spi.EnqueueResult;
import dev.kyu.spi.FetchRequest;
import dev.kyu.spi.JobQuery;
import dev.kyu.spi.LeaseExtension;
import dev.kyu.spi.NewJob;
import dev.kyu.spi.Outcome;
import dev.kyu.spi.PruneRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What only the Redis engine has, against a real deployment: its stored layout, scripts, id index, relay,
 * ended channel and the foreign data it meets. The verbs every engine shares are the conformance suites'.
 * Subclasses name the deployment (a single server, a Cluster).
 */
abstract class RedisBrokerContract {
    RedisBroker broker;

    /** The URL of the deployment, emptied. */
    abstract String freshUrl() throws Exception;

    @BeforeEach
    void open() throws Exception {
        broker = RedisBroker.open(dev.kyu.spi.BrokerConfig.of(freshUrl()));
    }

    @AfterEach
    void close() {
        broker.close();
    }

    static NewJob.Builder job(String queue) {
        return NewJob.builder(JobIds.next(), "t").queue(queue).args("{\"n\":1}");
    }

    List<EnqueueResult> enqueue(NewJob... jobs) {
        return broker.jobsEnqueue(EnqueueRequest.of(List.of(jobs)));
    }

    List<Job> fetch(String worker, int limit, String... queues) throws InterruptedException {
        return broker.jobsFetch(
                new FetchRequest(worker, List.of(queues), limit, Duration.ofSeconds(30), Duration.ZERO));
    }

    @Test
    void opensThroughTheServiceLoader() {
        try (var b = Brokers.open(broker.describe())) {
            assertThat(b).isInstanceOf(RedisBroker.class);
            assertThat(b.now())
                    .isCloseTo(
                            Instant.now(),
                            org.assertj.core.api.Assertions.within(5, java.time.temporal.ChronoUnit.SECONDS));
        }
    }

    /**
     * Only the end of a job marked awaited is published, so a job nobody awaits costs no command; the
     * publication ends an await in another process. A second broker on the same deployment listens in.
     */
    @Test
    void onlyAnAwaitedJobPublishesItsEndAndThatEndsTheAwait() throws Exception {
        var heard = new java.util.concurrent.LinkedBlockingQueue<String>();
        try (RedisBroker listener = RedisBroker.open(dev.kyu.spi.BrokerConfig.of(broker.describe()));
                RedisBroker waiter = RedisBroker.open(dev.kyu.spi.BrokerConfig.of(broker.describe()))) {
            assertThat(listener.link().subscribe(broker.keys().ended(), heard::add))
                    .isTrue();
            NewJob ignored = job("q").build();
            NewJob awaitedJob = job("q").build();
            enqueue(ignored, awaitedJob);
            var answer = new CompletableFuture<java.util.Optional<Job>>();
            Thread awaiting = Thread.ofPlatform().start(() -> {
                try {
                    answer.complete(waiter.jobAwait(awaitedJob.id(), Duration.ofMinutes(2)));
                } catch (InterruptedException e) {
                    answer.completeExceptionally(e);
                }
            });
            await().atMost(Duration.ofSeconds(30))
                    .until(() ->
                            "1".equals(broker.link().sync().hget(broker.keys().job("q", awaitedJob.id()), "awaited")));
            assertThat(broker.link().sync().hget(broker.keys().job("q", ignored.id()), "awaited"))
                    .isNull();
            List<Job> running = fetch("w", 2, "q");
            assertThat(running).hasSize(2);
            // the ignored job ends first: were its end published, it would be heard first
            Job first = running.stream()
                    .filter(j -> j.id().equals(ignored.id()))
                    .findFirst()
                    .orElseThrow();
            Job second = running.stream()
                    .filter(j -> j.id().equals(awaitedJob.id()))
                    .findFirst()
                    .orElseThrow();
            assertThat(broker.jobsComplete(List.of(new Completion(first.lease(), new Outcome.Succeeded("1")))))
                    .containsExactly(true);
            assertThat(broker.jobsComplete(List.of(new Completion(
                            second.lease(), new Outcome.Dead(JobError.reason(1, "x", "no", Instant.now()))))))
                    .containsExactly(true);
            awaiting.join(Duration.ofSeconds(60));
            assertThat(awaiting.isAlive()).isFalse();
            assertThat(answer.get()).get().extracting(Job::state).isEqualTo(JobState.FAILED);
            assertThat(heard.poll(30, TimeUnit.SECONDS)).isEqualTo(awaitedJob.id());
            assertThat(heard).isEmpty();
        }
    }

    @Test
    void stampsAreMicrosecondsAndMillisecondStampsStillRead() throws Exception {
        NewJob j = job("q").build();
        enqueue(j);
        Job r = fetch("w", 1, "q").get(0);
        broker.jobsComplete(List.of(new Completion(r.lease(), new Outcome.Succeeded("1"))));
        String key = broker.keys().job("q", j.id());
        Map<String, String> raw = broker.link().sync().hgetall(key);
        Job done = broker.jobGet(j.id()).orElseThrow();
        for (String f : List.of("enqueuedAt", "startedAt", "finishedAt"))
            assertThat(raw.get(f)).as(f).hasSize(16);
        assertThat(done.enqueuedAt()).isEqualTo(micros(raw.get("enqueuedAt")));
        assertThat(r.startedAt()).isEqualTo(micros(raw.get("startedAt")));
        assertThat(done.startedAt()).isEqualTo(r.startedAt());
        assertThat(done.finishedAt()).isEqualTo(micros(raw.get("finishedAt")));
        assertThat(done.enqueuedAt()).isBeforeOrEqualTo(done.startedAt());
        assertThat(done.startedAt()).isBeforeOrEqualTo(done.finishedAt());
        // A job written when the stamps were milliseconds reads as before.
        broker.link()
                .sync()
                .hset(
                        key,
                        Map.of(
                                "enqueuedAt",
                                "1795763426407",
                                "startedAt",
                                "1795763426408",
                                "finishedAt",
                                "1795763426409"));
        Job old = broker.jobGet(j.id()).orElseThrow();
        assertThat(old.enqueuedAt()).isEqualTo(Instant.ofEpochMilli(1795763426407L));
        assertThat(old.startedAt()).isEqualTo(Instant.ofEpochMilli(1795763426408L));
        assertThat(old.finishedAt()).isEqualTo(Instant.ofEpochMilli(1795763426409L));
    }

    @Test
    void aSingleJobWithAnIdInUseIsRefusedInAnyQueue() throws Exception {
        NewJob first = job("a").args("{\"v\":1}").build();
        enqueue(first);
        // On a Cluster the id index lives in another slot than the queue, so an id is unique per queue there.
        for (String q : broker.isCluster() ? List.of("a") : List.of("a", "b")) {
            NewJob again =
                    NewJob.builder(first.id(), "t").queue(q).args("{\"v\":2}").build();
            assertThatThrownBy(() -> enqueue(again)).isInstanceOf(KyuException.InvalidInput.class);
        }
        assertThat(broker.jobGet(first.id()).orElseThrow().args()).isEqualTo("{\"v\":1}");
        assertThat(broker.queueCounts("b").get(JobState.QUEUED)).isZero();
        if (!broker.isCluster()) {
            // An id index entry whose job is gone (a crash between deleting the job and its entry) is taken over.
            NewJob gone = job("a").build();
            broker.link().sync().hset(broker.keys().jobQueue(), gone.id(), "elsewhere");
            assertThat(enqueue(gone)).containsExactly(new EnqueueResult(gone.id(), true));
            assertThat(broker.jobGet(gone.id()).orElseThrow().queue()).isEqualTo("a");
        }
    }

    private static Instant micros(String v) {
        long us = Long.parseLong(v);
        return Instant.ofEpochSecond(us / 1_000_000, (us % 1_000_000) * 1_000);
    }

    @Test
    void delayedJobsWaitForTheirTime() throws Exception {
        var later = job("q").delay(Duration.ofMillis(300)).build();
        enqueue(later);
        assertThat(broker.jobGet(later.id()).orElseThrow().state()).isEqualTo(JobState.SCHEDULED);
        assertThat(fetch("w", 1, "q")).isEmpty();
        // a blocking fetch sleeps until the due time rather than for its whole wait
        List<Job> got = broker.jobsFetch(
                new FetchRequest("w", List.of("q"), 1, Duration.ofSeconds(30), Duration.ofSeconds(20)));
        assertThat(got).extracting(Job::id).containsExactly(later.id());
    }

    @Test
    void blockingFetchWakesOnEnqueue() throws Exception {
        var waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return broker.jobsFetch(
                        new FetchRequest("w", List.of("x", "q"), 5, Duration.ofSeconds(30), Duration.ofSeconds(30)));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> !waiting.isDone());
        var j = job("q").build();
        enqueue(j);
        assertThat(waiting.get(10, TimeUnit.SECONDS)).extracting(Job::id).containsExactly(j.id());
    }

    /** A QUEUED job of queue q as enqueue writes it, but for the attempt and priority given. */
    private static Map<String, String> queuedFields(String id, String attempt, String priority) {
        return Map.of(
                "id",
                id,
                "queue",
                "q",
                "task",
                "t",
                "args",
                "[]",
                "state",
                "QUEUED",
                "attempt",
                attempt,
                "priority",
                priority,
                "maxAttempts",
                "3",
                "enqueuedAt",
                "1",
                "scheduledAt",
                "1");
    }

    @Test
    void aQueuedJobWhoseAttemptIsNotAWholeNumberIsSetAsideWithoutALease() throws Exception {
        // Lua reads '1.5' as a number, the decoder does not: such a job must not be leased, or the decoder's
        // bury (fenced by the attempt) could never name the lease it holds.
        String bad = RedisCorruption.insertQueued(broker, "q", id -> queuedFields(id, "1.5", "0"));
        var good = job("q").build();
        enqueue(good);
        assertThat(fetch("w", 10, "q")).extracting(Job::id).containsExactly(good.id());
        Job failed = broker.jobGet(bad).orElseThrow();
        assertThat(failed.state()).isEqualTo(JobState.FAILED);
        assertThat(failed.lastError().type()).isEqualTo(JobError.CORRUPT);
        assertThat(failed.lastError().message()).contains("attempt").contains("1.5");
        assertThat(broker.queueCounts("q")).containsEntry(JobState.RUNNING, 1L);
    }

    @Test
    void aQueuedJobWhoseAttemptIsAMebibyteOfDigitsIsSetAsideAndTheFetchGoesOn() throws Exception {
        // Lua reads such an attempt as infinity: the error recorded with the job must still be one JSON can hold.
        String bad = RedisCorruption.insertQueued(broker, "q", id -> queuedFields(id, "9".repeat(1 << 20), "0"));
        var good = job("q").build();
        enqueue(good);
        assertThat(fetch("w", 10, "q")).extracting(Job::id).containsExactly(good.id());
        Job failed = broker.jobGet(bad).orElseThrow();
        assertThat(failed.state()).isEqualTo(JobState.FAILED);
        assertThat(failed.lastError().type()).isEqualTo(JobError.CORRUPT);
        assertThat(failed.lastError().message()).contains("attempt");
        assertThat(broker.queueCounts("q")).containsEntry(JobState.RUNNING, 1L).containsEntry(JobState.QUEUED, 0L);
    }

    @Test
    void aQueuedJobWithAnUnreadableFieldIsLeasedThenSetAsideByTheDecoder() throws Exception {
        // QUEUED with a task and a numeric attempt: the fetch script leases it without reading further, and
        // the worker's strict decode finds the bad priority and buries it under the lease it holds.
        String bad = RedisCorruption.insertQueued(broker, "q", id -> queuedFields(id, "0", "high"));
        var good = job("q").build();
        enqueue(good);
        assertThat(fetch("w", 10, "q")).extracting(Job::id).containsExactly(good.id());
        Job failed = broker.jobGet(bad).orElseThrow();
        assertThat(failed.state()).isEqualTo(JobState.FAILED);
        assertThat(failed.attempt()).isEqualTo(1);
        assertThat(failed.lastError().type()).isEqualTo(JobError.CORRUPT);
        assertThat(failed.lastError().message()).contains("priority").contains("high");
        assertThat(broker.queueCounts("q")).containsEntry(JobState.RUNNING, 1L); // the good job only
        assertThat(broker.leasesRescueExpired(100).total()).isZero();
    }

    @Test
    void aForeignValueAtAJobKeyIsSetAsideAndTheConsumerGoesOn() throws Exception {
        String id = JobIds.next();
        Keys k = broker.keys();
        var sync = broker.link().sync();
        sync.set(k.job("q", id), "not a job at all");
        sync.rpush(k.errors("q", id), "{broken");
        sync.zadd(k.ready("q"), 0, "000000000000000" + id);
        sync.hset(k.jobQueue(), id, "q");
        var good = job("q").build();
        enqueue(good);
        assertThat(broker.jobGet(id)).isEmpty();
        assertThat(fetch("w", 10, "q")).extracting(Job::id).containsExactly(good.id());
        Job failed = broker.jobGet(id).orElseThrow();
        assertThat(failed.state()).isEqualTo(JobState.FAILED);
        assertThat(failed.lastError().type()).isEqualTo(JobError.CORRUPT);
        assertThat(failed.lastError().message()).contains("held a string");
        assertThat(sync.get(k.queue("q", "garbage:" + id))).isEqualTo("not a job at all");
        assertThat(broker.jobsList(JobQuery.all(10).withState(JobState.FAILED)))
                .extracting(Job::id)
                .containsExactly(id);
    }

    /** A key of another type (foreign data) in a queue: its enqueue is refused unwritten, its fetch skipped. */
    @Test
    void aKeyOfAnotherTypeRefusesAnEnqueueWholeAndAFetchSkipsItsQueue() throws Exception {
        var good = job("good").build();
        enqueue(good);
        String ready = broker.keys().ready("bad");
        broker.link().sync().set(ready, "foreign");
        var lone = job("bad").build();
        var batch = List.of(job("bad").build(), job("bad").build());
        for (var jobs : List.of(List.of(lone), batch)) {
            assertThatThrownBy(() -> enqueue(jobs.toArray(NewJob[]::new)))
                    .isInstanceOf(KyuException.class)
                    .hasMessageContaining("Redis key " + ready + " holds a string, expected a sorted set")
                    .hasMessageNotContaining("\n");
            for (NewJob j : jobs) {
                assertThat(broker.jobGet(j.id())).isEmpty();
                assertThat(broker.link().sync().exists(broker.keys().job("bad", j.id())))
                        .isZero();
            }
        }
        assertThat(fetch("w", 5, "bad", "good")).extracting(Job::id).containsExactly(good.id());
        assertThat(broker.link().sync().get(ready)).isEqualTo("foreign");
    }

    @Test
    void linksAreStoredAsDocumented() throws Exception {
        String child = JobIds.next(), anchor = JobIds.next();
        NewJob parent = job("p").links(JobLinks.of(0, List.of(child), anchor)).build();
        NewJob blocked = NewJob.builder(child, "t")
                .queue("c")
                .args("{}")
                .links(JobLinks.of(1, List.of(), anchor))
                .build();
        NewJob plain = job("p").build();
        assertThat(broker.capabilities()).contains(Capability.JOB_LINKS);
        enqueue(plain, parent, blocked);
        var sync = broker.link().sync();
        assertThat(sync.hmget(broker.keys().job("p", parent.id()), "dependents", "retainWith", "waitsFor"))
                .extracting(kv -> kv.getValueOrElse(null))
                .containsExactly("[\"" + child + "\"]", anchor, null);
        assertThat(sync.hmget(broker.keys().job("c", child), "state", "waitsFor", "retainWith", "rk"))
                .extracting(kv -> kv.getValueOrElse(null))
                .containsExactly("BLOCKED", "1", anchor, null);
        assertThat(sync.zrange(broker.keys().stateIndex("c", "BLOCKED"), 0, -1)).containsExactly(child);
        assertThat(sync.zcard(broker.keys().ready("c"))).isZero();
        // One call over several queues, in the order asked, the missing left out.
        assertThat(broker.jobsGet(List.of(child, JobIds.next(), parent.id(), plain.id())))
                .extracting(Job::id)
                .containsExactly(child, parent.id(), plain.id());

        for (Job r : fetch("w", 2, "p"))
            assertThat(broker.jobsComplete(List.of(new Completion(r.lease(), new Outcome.Succeeded("1")))))
                    .containsExactly(true);
        assertThat(sync.hexists(broker.keys().job("p", parent.id()), "dependents"))
                .as("cleared once released")
                .isFalse();
        assertThat(sync.hmget(broker.keys().job("c", child), "state", "waitsFor"))
                .extracting(kv -> kv.getValueOrElse(null))
                .containsExactly("QUEUED", null);
        assertThat(sync.zcard(broker.keys().stateIndex("c", "BLOCKED"))).isZero();
        assertThat(fetch("w", 5, "c")).extracting(Job::id).containsExactly(child);
        assertThat(sync.exists(broker.keys().queue("p", "relay")))
                .as("no release left to relay")
                .isZero();
    }

    @Test
    void aReleaseLeftForTheRelayIsAppliedOnceHoweverOftenItIsDriven() throws Exception {
        if (!broker.isCluster()) return; // a single server releases in the ending script itself
        String child = JobIds.next(), ended = JobIds.next();
        NewJob second = job("p").links(JobLinks.of(0, List.of(child), null)).build();
        enqueue(
                second,
                NewJob.builder(child, "t")
                        .queue("c")
                        .args("{}")
                        .links(JobLinks.of(2, List.of(), null))
                        .build());
        var sync = broker.link().sync();
        String relay = broker.keys().queue("p", "relay");
        // As the script that ended (or deleted) a parent leaves it when the process dies before relaying:
        // applied by the next maintenance sweep.
        sync.hset(relay, ended, "[\"" + child + "\"]");
        broker.jobsPromoteDue(10);
        assertThat(broker.jobGet(child).orElseThrow().links().waitsFor()).isEqualTo(1);
        assertThat(sync.exists(relay)).isZero();
        // The same record again (a death after applying, before clearing): that parent is not counted twice.
        sync.hset(relay, ended, "[\"" + child + "\"]");
        broker.jobsPromoteDue(10);
        assertThat(broker.jobGet(child).orElseThrow().state()).isEqualTo(JobState.BLOCKED);
        assertThat(broker.jobGet(child).orElseThrow().links().waitsFor()).isEqualTo(1);
        Job r = fetch("w", 1, "p").get(0);
        assertThat(broker.jobsComplete(List.of(new Completion(r.lease(), new Outcome.Succeeded("1")))))
                .containsExactly(true);
        assertThat(broker.jobGet(child).orElseThrow().state()).isEqualTo(JobState.QUEUED);
        assertThat(sync.exists(broker.keys().queue("c", "counted:" + child)))
                .as("the parents counted go with the release")
                .isZero();
    }

    @Test
    void aRelayKeyOfAnotherTypeRefusesTheEndingCallWhole() throws Exception {
        if (!broker.isCluster()) return; // a single server keeps no relay
        String child = JobIds.next();
        NewJob parent = job("p").links(JobLinks.of(0, List.of(child), null)).build();
        enqueue(
                parent,
                NewJob.builder(child, "t")
                        .queue("c")
                        .args("{}")
                        .links(JobLinks.of(1, List.of(), null))
                        .build());
        Job r = fetch("w", 1, "p").get(0);
        String relay = broker.keys().queue("p", "relay");
        broker.link().sync().set(relay, "foreign");
        var done = List.of(new Completion(r.lease(), new Outcome.Succeeded("1")));
        assertThatThrownBy(() -> broker.jobsComplete(done))
                .isInstanceOf(KyuException.class)
                .hasMessageContaining("Redis key " + relay + " holds a string, expected a hash")
                .hasMessageNotContaining("\n");
        assertThat(broker.jobGet(r.id()).orElseThrow().state()).isEqualTo(JobState.RUNNING);
        broker.link().sync().del(relay);
        assertThat(broker.jobsComplete(done)).containsExactly(true);
        assertThat(broker.jobGet(child).orElseThrow().state()).isEqualTo(JobState.QUEUED);
    }

    @Test
    void aJobKeptWithAJobOfAnotherQueueIsPrunedOnceThatJobIsGone() throws Exception {
        NewJob anchor = job("anchor").delay(Duration.ofHours(1)).build();
        NewJob step = job("steps").links(JobLinks.of(0, List.of(), anchor.id())).build();
        enqueue(anchor, step);
        Job r = fetch("w", 1, "steps").get(0);
        assertThat(broker.jobsComplete(List.of(new Completion(r.lease(), new Outcome.Succeeded("1")))))
                .containsExactly(true);
        var prune = new PruneRequest(Duration.ZERO, Duration.ZERO, null, null, 100);
        Instant past = broker.now().plusMillis(5);
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.now().isAfter(past));
        assertThat(broker.jobsPrune(prune)).isZero();
        assertThat(broker.jobGet(step.id())).isPresent();
        assertThat(broker.jobsDelete(List.of(anchor.id()))).isEqualTo(1);
        assertThat(broker.jobsPrune(prune)).isEqualTo(1);
        assertThat(broker.jobGet(step.id())).isEmpty();
    }

    @Test
    void linkFieldsThatDoNotReadAreShownAsNoneAndNeverStopAScript() throws Exception {
        String child = JobIds.next();
        NewJob parent = job("p").links(JobLinks.of(0, List.of(child), null)).build();
        enqueue(
                parent,
                NewJob.builder(child, "t")
                        .queue("c")
                        .args("{}")
                        .links(JobLinks.of(3, List.of(), null))
                        .build());
        var sync = broker.link().sync();
        // A count and a list that are not what Kyu writes (a hand-made edit): queries show none, the job is
        // released at its next parent's end, and a garbage list releases nobody.
        sync.hset(
                broker.keys().job("c", child),
                Map.of("waitsFor", "1.5e400", "dependents", "{not json", "retainWith", ""));
        Job shown = broker.jobGet(child).orElseThrow();
        assertThat(shown.state()).isEqualTo(JobState.BLOCKED);
        assertThat(shown.links().waitsFor()).isZero();
        assertThat(shown.links().dependents()).isEmpty();
        Job r = fetch("w", 1, "p").get(0);
        assertThat(broker.jobsComplete(List.of(new Completion(r.lease(), new Outcome.Succeeded("1")))))
                .containsExactly(true);
        assertThat(broker.jobGet(child).orElseThrow().state()).isEqualTo(JobState.QUEUED);
        Job c = fetch("w", 1, "c").get(0);
        assertThat(broker.jobsComplete(List.of(new Completion(c.lease(), new Outcome.Succeeded("1")))))
                .containsExactly(true);
        assertThat(broker.jobGet(child).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
    }

    /**
     * Complete and extend find the job by the queue its lease names, never by the id index: with the job's
     * entry gone from {@code kyu:jobq} they still apply. A lease naming another queue is not held, and its
     * extension writes no expiry, not even into the job's own queue.
     */
    @Test
    void leasesAreRoutedByTheirQueueWithoutTheIdIndex() throws Exception {
        var stored = job("q").build();
        enqueue(stored);
        Job got = fetch("w", 1, "q").get(0);
        var sync = broker.link().sync();
        sync.hdel(broker.keys().jobQueue(), stored.id());
        Double expiry = sync.zscore(broker.keys().queue("q", "run"), stored.id());
        Lease elsewhere = new Lease(stored.id(), "q-other", "w", got.attempt());

        var lost = broker.leasesExtend(new LeaseExtension("w", List.of(elsewhere), Duration.ofHours(1)));
        assertThat(lost.lost()).containsExactly(stored.id());
        assertThat(sync.zscore(broker.keys().queue("q", "run"), stored.id())).isEqualTo(expiry);
        assertThat(sync.exists(broker.keys().queue("q-other", "run"))).isZero();
        assertThat(broker.jobsComplete(List.of(new Completion(elsewhere, new Outcome.Succeeded("1")))))
                .containsExactly(false);

        assertThat(broker.leasesExtend(new LeaseExtension("w", List.of(got.lease()), Duration.ofHours(1)))
                        .lost())
                .isEmpty();
        assertThat(sync.zscore(broker.keys().queue("q", "run"), stored.id())).isGreaterThan(expiry);
        assertThat(broker.jobsComplete(List.of(new Completion(got.lease(), new Outcome.Succeeded("1")))))
                .containsExactly(true);
        assertThat(sync.hget(broker.keys().job("q", stored.id()), "state")).isEqualTo("SUCCEEDED");
    }

    /**
     * Aging re-files a raised job in {@code ready} under the score of its new priority and keeps its member (due
     * time, id), oldest first across priorities; a member left stale behind Kyu's back is not aged.
     */
    @Test
    void agingRefilesTheOldestJobsUnderTheirNewPriorityAndKeepsTheirPlaceInTime() throws Exception {
        var sync = broker.link().sync();
        String ready = broker.keys().ready("q");
        var first = job("q").priority(2).build();
        enqueue(first);
        advancePast(broker.now().plusMillis(3));
        var second = job("q").priority(-1).build();
        enqueue(second);
        advancePast(broker.now().plusMillis(3));
        var third = job("q").priority(0).build();
        enqueue(third);
        // A stale member: its job is not QUEUED under it.
        String stale = "000000000000001" + JobIds.next();
        sync.zadd(ready, 0, stale);
        Instant cut = advancePast(broker.now().plusMillis(3));
        String firstMember = sync.hget(broker.keys().job("q", first.id()), "rk");

        // The stale member is the oldest but is skipped, uncounted: the two oldest jobs, of two priorities, rise.
        assertThat(broker.jobsAge("q", cut, 5, 2)).isEqualTo(2);
        assertThat(sync.hget(broker.keys().job("q", first.id()), "rk")).isEqualTo(firstMember);
        assertThat(sync.zscore(ready, firstMember)).isEqualTo(-3.0);
        assertThat(broker.jobGet(first.id()).orElseThrow().priority()).isEqualTo(3);
        assertThat(broker.jobGet(second.id()).orElseThrow().priority()).isZero(); // from -1
        assertThat(broker.jobGet(third.id()).orElseThrow().priority()).isZero(); // untouched: the limit was reached
        assertThat(sync.zscore(ready, stale)).isEqualTo(0.0);
        assertThat(broker.jobsAge("q", cut, 1, 10)).isEqualTo(2);
        assertThat(broker.jobGet(second.id()).orElseThrow().priority()).isEqualTo(1);
        assertThat(broker.jobGet(third.id()).orElseThrow().priority()).isEqualTo(1);
        // Of equal priority, the older comes first: the raised second before the raised third.
        sync.zrem(ready, stale);
        assertThat(fetch("w", 3, "q")).extracting(Job::id).containsExactly(first.id(), second.id(), third.id());
    }

    /** Waits until the server's clock has passed {@code t}; answers the server's time then. */
    private Instant advancePast(Instant t) {
        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(1))
                .until(() -> broker.now().isAfter(t));
        return broker.now();
    }

    @Test
    void badInputIsRefusedWithOneLine() {
        assertThatThrownBy(() -> broker.jobsEnqueue(EnqueueRequest.of(
                        List.of(NewJob.builder(JobIds.next(), "t").queue("").build()))))
                .isInstanceOf(KyuException.InvalidInput.class)
                .hasMessageContaining("queue name");
        assertThatThrownBy(() -> Brokers.open("redis://127.0.0.1:notaport"))
                .isInstanceOf(KyuException.BrokerConfig.class)
                .hasMessageContaining("notaport");
        assertThatThrownBy(() -> Brokers.open("redis://127.0.0.1:6379?bogus=1"))
                .isInstanceOf(KyuException.BrokerConfig.class)
                .hasMessageContaining("bogus");
    }

    @Test
    void unreachableServerFailsAtOpen() throws Exception {
        int port = RedisProcess.freePort();
        assertThatThrownBy(() -> Brokers.open("redis://:s3cret@127.0.0.1:" + port + "?timeout=2s"))
                .isInstanceOf(KyuException.BrokerUnavailable.class)
                .hasMessageContaining("cannot reach Redis")
                .hasMessageContaining("127.0.0.1:" + port)
                .hasMessageNotContaining("<unresolved>")
                .hasMessageNotContaining("s3cret");
    }
}
