package dev.kyu.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kyu.KyuException;
import dev.kyu.job.Job;
import dev.kyu.job.JobError;
import dev.kyu.job.JobIds;
import dev.kyu.job.JobState;
import dev.kyu.job.Lease;
import dev.kyu.spi.CancelResult;
import dev.kyu.spi.Capability;
import dev.kyu.spi.ClaimRequest;
import dev.kyu.spi.Completion;
import dev.kyu.spi.FetchRequest;
import dev.kyu.spi.LeaseExtension;
import dev.kyu.spi.LeaseReport;
import dev.kyu.spi.Outcome;
import dev.kyu.spi.RescueResult;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Conformance: leasing jobs, blocking fetch, heartbeats, outcomes, fencing and the rescue of lost leases. */
public abstract class WorkConformance extends EnqueueConformance {

    /** Runs a fetch on its own thread, so a test can act while it blocks. */
    private CompletableFuture<List<Job>> fetchInBackground(Duration maxWait, AtomicReference<Thread> thread) {
        var result = new CompletableFuture<List<Job>>();
        Thread t = Thread.ofPlatform().name("conformance-fetch").start(() -> {
            try {
                result.complete(broker.jobsFetch(new FetchRequest("bg-worker", List.of(Q), 1, LONG, maxWait)));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        thread.set(t);
        return result;
    }

    /**
     * Gives the background fetch a chance to start waiting, so the test acts during the wait rather than
     * before it. Best effort: an engine blocked in a socket read shows as RUNNABLE, and the test is right
     * either way.
     */
    private static void awaitBlocked(Thread t) {
        try {
            await("fetch to block")
                    .atMost(Duration.ofSeconds(2))
                    .pollInterval(Duration.ofMillis(5))
                    .until(() -> t.getState() == Thread.State.WAITING || t.getState() == Thread.State.TIMED_WAITING);
        } catch (org.awaitility.core.ConditionTimeoutException stillRunnable) {
            // the fetch may be blocked in I/O; go on
        }
    }

    @Nested
    @DisplayName("claim")
    class Claiming {
        private List<Job> claim(int limit, String... queues) {
            return broker.jobsClaim(new ClaimRequest(WORKER, List.of(queues), limit, LONG));
        }

        @Test
        void aClaimWithNothingDueAnswersEmpty() {
            enqueue(job("t").delay(Duration.ofHours(1)));
            assertThat(claim(5, Q)).isEmpty();
        }

        @Test
        void aClaimLeasesByQueueOrderThenPriorityThenAge() {
            String low = enqueue(job("t").priority(0));
            String high = enqueue(job("t").priority(5));
            String other = enqueue(job("t", "q-first"));
            String low2 = enqueue(job("t").priority(0));
            List<Job> got = claim(3, "q-first", Q);
            assertThat(got).extracting(Job::id).containsExactly(other, high, low);
            assertThat(got).allSatisfy(j -> {
                assertThat(j.state()).isEqualTo(JobState.RUNNING);
                assertThat(j.attempt()).isEqualTo(1);
                assertThat(j.workerId()).isEqualTo(WORKER);
            });
            assertThat(got.get(0).lease().queue()).isEqualTo("q-first");
            assertThat(claim(3, Q)).extracting(Job::id).containsExactly(low2);
            assertThat(claim(3, Q)).isEmpty();
        }

        @Test
        void aClaimSkipsPausedQueues() {
            enqueue(job("t"));
            String open = enqueue(job("t", "q-open"));
            broker.queuePause(Q, true);
            assertThat(claim(5, Q, "q-open")).extracting(Job::id).containsExactly(open);
        }

        @Test
        void aClaimNamingAQueueTwiceOrAnUnknownOneLeasesEachJobOnce() {
            String a = enqueue(job("t"));
            String b = enqueue(job("t"));
            assertThat(claim(5, "q-unknown")).isEmpty();
            assertThat(claim(5, Q, Q, "q-unknown", Q)).extracting(Job::id).containsExactlyInAnyOrder(a, b);
            assertThat(claim(5, Q, Q)).isEmpty();
        }
    }

    @Nested
    @DisplayName("priority aging")
    class Aging {
        private int priority(String id) {
            return get(id).priority();
        }

        /** Lets the engine's clock pass a few milliseconds, so jobs enqueued on either side are due at distinct times. */
        private Instant tick() {
            advancePast(broker.now().plusMillis(5));
            return broker.now();
        }

        @Test
        void raisesTheQueuedJobsDueBeforeTheCutByOneBelowTheCeiling() {
            String old = enqueue(job("t").priority(0));
            String atCeiling = enqueue(job("t").priority(3));
            String otherQueue = enqueue(job("t", "q-other").priority(0));
            String delayed = enqueue(job("t").delay(LONG));
            Instant cut = tick();
            String young = enqueue(job("t").priority(0));

            assertThat(broker.jobsAge(Q, cut, 3, 100)).isEqualTo(1);
            assertThat(priority(old)).isEqualTo(1);
            assertThat(priority(atCeiling)).isEqualTo(3);
            assertThat(priority(otherQueue)).isZero();
            assertThat(priority(delayed)).isZero();
            assertThat(priority(young)).isZero();
            assertThat(broker.jobsAge(Q, cut, 3, 100)).isEqualTo(1);
            assertThat(broker.jobsAge(Q, cut, 3, 100)).isEqualTo(1);
            assertThat(broker.jobsAge(Q, cut, 3, 100)).isZero();
            assertThat(priority(old)).isEqualTo(3);
            assertThat(get(old).state()).isEqualTo(JobState.QUEUED);
        }

        @Test
        void aRaisedJobIsFetchedBeforeTheJobsOfItsNewPriority() {
            String old = enqueue(job("t").priority(0));
            Instant cut = tick();
            String high = enqueue(job("t").priority(1));
            String low = enqueue(job("t").priority(0));
            assertThat(broker.jobsAge(Q, cut, 10, 100)).isEqualTo(1);
            assertThat(fetch(3)).extracting(Job::id).containsExactly(old, high, low);
        }

        @Test
        void honoursItsLimitOldestFirstAndLeavesRunningJobsAlone() {
            String a = enqueue(job("t"));
            tick();
            String b = enqueue(job("t"));
            tick();
            String c = enqueue(job("t", "q-run"));
            Job running = fetch(WORKER, 1, LONG, "q-run").get(0);
            tick();
            String d = enqueue(job("t"));
            Instant cut = tick();
            assertThat(broker.jobsAge(Q, cut, 10, 2)).isEqualTo(2);
            assertThat(List.of(priority(a), priority(b), priority(d))).containsExactly(1, 1, 0);
            assertThat(broker.jobsAge("q-run", cut, 10, 10)).isZero();
            assertThat(priority(c)).isZero();
            assertThat(running.id()).isEqualTo(c);
            assertThat(broker.jobsAge("q-none", cut, 10, 10)).isZero();
        }

        @Test
        void oddLimitsCeilingsAndCutsChangeNothingAndNeverThrow() {
            String low = enqueue(job("t").priority(0));
            String nearTop = enqueue(job("t").priority(Integer.MAX_VALUE - 1));
            String top = enqueue(job("t").priority(Integer.MAX_VALUE));
            String bottom = enqueue(job("t").priority(Integer.MIN_VALUE));
            Instant cut = tick();
            for (int limit : new int[] {0, -1, Integer.MIN_VALUE})
                assertThat(broker.jobsAge(Q, cut, 10, limit))
                        .as("limit %d", limit)
                        .isZero();
            assertThat(broker.jobsAge(Q, cut, Integer.MIN_VALUE, 10))
                    .as("nothing is below the lowest ceiling")
                    .isZero();
            assertThat(broker.jobsAge(Q, Instant.MIN, 10, 10))
                    .as("nothing was due before the dawn of time")
                    .isZero();
            assertThat(broker.jobsAge("q-none", Instant.MAX, 10, 10)).isZero();
            assertThat(List.of(priority(low), priority(nearTop), priority(top), priority(bottom)))
                    .containsExactly(0, Integer.MAX_VALUE - 1, Integer.MAX_VALUE, Integer.MIN_VALUE);
            assertThat(broker.jobsAge(Q, Instant.MAX, Integer.MAX_VALUE, Integer.MAX_VALUE))
                    .as("all but the one at the top")
                    .isEqualTo(3);
            assertThat(List.of(priority(low), priority(nearTop), priority(top), priority(bottom)))
                    .containsExactly(1, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MIN_VALUE + 1);
        }
    }

    @Nested
    @DisplayName("fetch")
    class Fetching {
        @Test
        void fetchLeasesTheJobToTheWorker() {
            String id = enqueue(job("t").maxAttempts(3));
            Instant before = broker.now();
            Job got = fetchOne();
            Instant after = broker.now();

            assertThat(got.id()).isEqualTo(id);
            assertThat(got.state()).isEqualTo(JobState.RUNNING);
            assertThat(got.attempt()).isEqualTo(1);
            assertThat(got.workerId()).isEqualTo(WORKER);
            assertStampedBetween(got.startedAt(), before, after);
            assertSameInstant(got.leaseExpiresAt(), got.startedAt().plus(LONG));

            Job stored = get(id);
            assertThat(stored.state()).isEqualTo(JobState.RUNNING);
            assertThat(stored.attempt()).isEqualTo(1);
            assertThat(stored.workerId()).isEqualTo(WORKER);
            assertSameInstant(stored.startedAt(), got.startedAt());
            assertSameInstant(stored.leaseExpiresAt(), got.leaseExpiresAt());
            assertThat(stored.lease()).isEqualTo(new Lease(id, Q, WORKER, 1));
        }

        @Test
        void aLeasedJobIsNotFetchedAgain() {
            enqueue(job("t"));
            fetchOne();
            assertThat(fetch(WORKER, 10, LONG, Q)).isEmpty();
            assertThat(fetch("worker-2", 10, LONG, Q)).isEmpty();
        }

        @Test
        void eachFetchOfARetriedJobCountsAnAttempt() {
            String id = enqueue(job("t").maxAttempts(3));
            Job first = fetchOne();
            complete(first, new Outcome.Retry(error(1, "boom"), Duration.ZERO));
            broker.jobsPromoteDue(10);
            Job second = fetchOne();
            assertThat(second.id()).isEqualTo(id);
            assertThat(second.attempt()).isEqualTo(2);
        }
    }

    @Nested
    @DisplayName("blocking fetch")
    class BlockingFetch {
        @Test
        void returnsPromptlyWhenAJobIsEnqueuedDuringTheWait() throws Exception {
            var thread = new AtomicReference<Thread>();
            var pending = fetchInBackground(Duration.ofSeconds(60), thread);
            awaitBlocked(thread.get());
            String id = enqueue(job("t"));
            // well before the 60 s wait ends: the enqueue woke it
            await().atMost(Duration.ofSeconds(20)).until(pending::isDone);
            assertThat(ids(pending.get())).containsExactly(id);
            assertThat(get(id).workerId()).isEqualTo("bg-worker");
        }

        @Test
        void returnsEmptyAfterMaxWaitWhenIdle() throws Exception {
            List<Job> got = broker.jobsFetch(new FetchRequest(WORKER, List.of(Q), 5, LONG, Duration.ofMillis(200)));
            assertThat(got).isEmpty();
        }

        @Test
        @DisplayName(
                "an interrupt ends a blocked fetch: it returns empty (or throws InterruptedException) and leases nothing")
        void interruptEndsABlockedFetch() throws Exception {
            var thread = new AtomicReference<Thread>();
            var pending = fetchInBackground(Duration.ofSeconds(60), thread);
            awaitBlocked(thread.get());
            thread.get().interrupt();
            await().atMost(Duration.ofSeconds(20)).until(pending::isDone);
            if (!pending.isCompletedExceptionally()) assertThat(pending.get()).isEmpty();
            else assertThat(pending.handle((v, e) -> e).get()).isInstanceOf(InterruptedException.class);
            String id = enqueue(job("t"));
            assertThat(get(id).state()).isEqualTo(JobState.QUEUED);
        }

        @Test
        @DisplayName("close wakes a blocked fetch: it returns empty (or fails with BrokerUnavailable)")
        void closeWakesABlockedFetch() throws Exception {
            var thread = new AtomicReference<Thread>();
            var pending = fetchInBackground(Duration.ofSeconds(60), thread);
            awaitBlocked(thread.get());
            broker.close();
            await().atMost(Duration.ofSeconds(20)).until(pending::isDone);
            if (!pending.isCompletedExceptionally()) assertThat(pending.get()).isEmpty();
            else assertThat(pending.handle((v, e) -> e).get()).isInstanceOf(KyuException.BrokerUnavailable.class);
        }
    }

    @Nested
    @DisplayName("heartbeats (lease extension)")
    class Leases {
        @Test
        void extendMovesTheLeaseToNowPlusDuration() {
            enqueue(job("t"));
            Job running = fetchOne();
            if (manualTime()) clock.advance(Duration.ofMinutes(1));
            Instant before = broker.now();
            LeaseReport r =
                    broker.leasesExtend(new LeaseExtension(WORKER, List.of(running.lease()), LONG.multipliedBy(2)));
            Instant after = broker.now();

            assertThat(r).isEqualTo(LeaseReport.EMPTY);
            Job stored = get(running.id());
            assertThat(stored.state()).isEqualTo(JobState.RUNNING);
            assertStampedBetween(
                    stored.leaseExpiresAt(), before.plus(LONG.multipliedBy(2)), after.plus(LONG.multipliedBy(2)));
            assertThat(stored.attempt()).isEqualTo(1);
        }

        @Test
        void reportsLeasesNoLongerHeld() {
            String a = enqueue(job("t"));
            String b = enqueue(job("t"));
            String c = enqueue(job("t"));
            Job runA = fetchOne();
            Job runB = fetchOne();
            Job runC = fetchOne();
            complete(runB, new Outcome.Succeeded("null"));
            String unknown = JobIds.next();
            var leases = List.of(
                    runA.lease(),
                    runB.lease(),
                    new Lease(c, Q, WORKER, runC.attempt() + 1),
                    new Lease(unknown, Q, WORKER, 1));

            LeaseReport r = broker.leasesExtend(new LeaseExtension(WORKER, leases, LONG));
            assertThat(r.lost()).containsExactlyInAnyOrder(b, c, unknown);
            assertThat(r.cancelRequested()).isEmpty();
            assertThat(get(a).state()).isEqualTo(JobState.RUNNING);
            assertThat(get(b).state()).isEqualTo(JobState.SUCCEEDED);
        }

        @Test
        void reportsLeasesOfAnotherWorkerAsLost() {
            enqueue(job("t"));
            Job running = fetchOne();
            Lease foreign = new Lease(running.id(), Q, "worker-2", running.attempt());
            LeaseReport r = broker.leasesExtend(new LeaseExtension("worker-2", List.of(foreign), LONG.multipliedBy(3)));
            assertThat(r.lost()).containsExactly(running.id());
            assertSameInstant(get(running.id()).leaseExpiresAt(), running.leaseExpiresAt());
        }

        @Test
        void reportsCancelRequestsAndStillExtends() {
            String id = enqueue(job("t"));
            Job running = fetchOne();
            assertThat(broker.jobsCancel(List.of(id))).containsExactly(CancelResult.CANCEL_REQUESTED);

            LeaseReport r =
                    broker.leasesExtend(new LeaseExtension(WORKER, List.of(running.lease()), LONG.multipliedBy(2)));
            assertThat(r.cancelRequested()).containsExactly(id);
            assertThat(r.lost()).isEmpty();
            Job stored = get(id);
            assertThat(stored.state()).isEqualTo(JobState.RUNNING);
            assertThat(stored.cancelRequested()).isTrue();
            assertThat(stored.leaseExpiresAt()).isAfter(running.leaseExpiresAt());
        }
    }

    @Nested
    @DisplayName("outcomes")
    class Completing {
        @Test
        void succeededKeepsTheResultVerbatim() {
            String id = enqueue(job("t").maxAttempts(3));
            Instant before = broker.now();
            Job done = runTo(id, new Outcome.Succeeded("{\"total\": 12.50, \"b\":1}"));
            Instant after = broker.now();
            assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
            assertThat(done.result()).isEqualTo("{\"total\": 12.50, \"b\":1}");
            assertThat(done.attempt()).isEqualTo(1);
            assertThat(done.errors()).isEmpty();
            assertStampedBetween(done.finishedAt(), before, after);
        }

        @Test
        void retryIsScheduledAtNowPlusDelayWithTheErrorAppended() {
            String id = enqueue(job("t").maxAttempts(3));
            Job running = fetchOne();
            JobError e = new JobError(
                    1,
                    "java.io.IOException",
                    "connection reset",
                    "java.io.IOException: connection reset\n\tat x.y(Z.java:1)",
                    broker.now());
            Instant before = broker.now();
            assertThat(complete(running, new Outcome.Retry(e, shortDelay()))).isTrue();
            Instant after = broker.now();

            Job j = get(id);
            assertThat(j.state()).isEqualTo(JobState.SCHEDULED);
            assertThat(j.attempt()).isEqualTo(1);
            assertStampedBetween(j.scheduledAt(), before.plus(shortDelay()), after.plus(shortDelay()));
            assertThat(j.finishedAt()).isNull();
            assertThat(j.errors()).hasSize(1);
            JobError stored = j.lastError();
            assertThat(stored.attempt()).isEqualTo(1);
            assertThat(stored.type()).isEqualTo("java.io.IOException");
            assertThat(stored.message()).isEqualTo("connection reset");
            assertThat(stored.stackTrace()).isEqualTo(e.stackTrace());

            advancePast(j.scheduledAt());
            assertThat(broker.jobsPromoteDue(10)).isEqualTo(1);
            Job again = fetchOne();
            assertThat(again.attempt()).isEqualTo(2);
            assertThat(again.errors()).hasSize(1);
        }

        @Test
        void deadGoesToFailedWithTheError() {
            String id = enqueue(job("t").maxAttempts(5));
            Job j = runTo(id, new Outcome.Dead(error(1, "not retryable")));
            assertThat(j.state()).isEqualTo(JobState.FAILED);
            assertThat(j.finishedAt()).isNotNull();
            assertThat(j.attempt()).isEqualTo(1);
            assertThat(j.lastError().message()).isEqualTo("not retryable");
        }

        @Test
        @DisplayName("a job that succeeds on a retry keeps the failed attempt in errors, and its error is null")
        void aJobThatSucceedsOnARetryHasNoErrorButKeepsItsHistory() {
            String id = enqueue(job("t").maxAttempts(3));
            complete(fetchOne(), new Outcome.Retry(error(1, "gateway timeout"), Duration.ZERO));
            Job waiting = get(id);
            assertThat(waiting.error()).as("waiting for its retry").isNotNull();
            assertThat(waiting.error().message()).isEqualTo("gateway timeout");
            assertThat(dev.kyu.codec.JobJson.job(waiting)
                            .get("error")
                            .get("message")
                            .asText())
                    .isEqualTo("gateway timeout");

            assertThat(broker.jobsPromoteDue(10)).isEqualTo(1);
            Job done = runTo(id, new Outcome.Succeeded("{\"receipt\":\"r-9\"}"));
            assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
            assertThat(done.error()).isNull();
            assertThat(done.errors()).extracting(JobError::message).containsExactly("gateway timeout");
            var json = dev.kyu.codec.JobJson.job(done);
            assertThat(json.get("error").isNull()).as("error in %s", json).isTrue();
            assertThat(json.get("errors")).hasSize(1);
        }

        @Test
        @DisplayName("error text is kept exactly: controls, non-ASCII, emoji and lone surrogates")
        void errorTextIsKeptExactly() {
            // A lone surrogate is what a task's message may hold (Java strings allow it); every UTF-8
            // encoder writes it as '?', so an engine must store it escaped, never through an encoder as is.
            String message = "x\u001b[2J\nFAKE LINE\té \ud83d\ude00 \ud800 end \udc00";
            String trace = "java.lang.IllegalStateException: " + message + "\n\tat x.y(Z.java:1)";
            String id = enqueue(job("t").maxAttempts(1));
            Job j = runTo(
                    id,
                    new Outcome.Dead(new JobError(1, "java.lang.IllegalStateException", message, trace, broker.now())));
            assertThat(j.lastError().message()).isEqualTo(message);
            assertThat(j.lastError().stackTrace()).isEqualTo(trace);
            assertThat(get(id).errors().get(0).message()).isEqualTo(message);
        }

        @Test
        void cancelledKeepsTheReason() {
            String id = enqueue(job("t"));
            Job j = runTo(
                    id, new Outcome.Cancelled(JobError.reason(1, JobError.CANCELLED, "stopped by user", broker.now())));
            assertThat(j.state()).isEqualTo(JobState.CANCELLED);
            assertThat(j.finishedAt()).isNotNull();
            assertThat(j.lastError().type()).isEqualTo(JobError.CANCELLED);
        }

        @Test
        void releasedGoesBackToQueuedAndGivesTheAttemptBack() {
            String id = enqueue(job("t").maxAttempts(2));
            Job j = runTo(id, new Outcome.Released(Duration.ZERO));
            assertThat(j.state()).isEqualTo(JobState.QUEUED);
            assertThat(j.attempt()).isZero();
            assertThat(j.errors()).isEmpty();
            assertThat(j.finishedAt()).isNull();
            Job again = fetchOne();
            assertThat(again.id()).isEqualTo(id);
            assertThat(again.attempt()).isEqualTo(1);
        }

        @Test
        @DisplayName(
                "a job handed back with a delay keeps its place in line: once due, it comes before those behind it")
        void releasedWithADelayKeepsItsPlaceInLine() {
            String a = enqueue(job("t"));
            String b = enqueue(job("t"));
            String c = enqueue(job("t"));
            Job first = fetchOne();
            assertThat(first.id()).isEqualTo(a);
            complete(first, new Outcome.Released(shortDelay()));
            assertThat(fetchOne().id()).as("the held job is not due yet").isEqualTo(b);
            advancePast(broker.now().plus(shortDelay()));
            broker.jobsPromoteDue(100);
            assertThat(fetchOne().id())
                    .as("due again, it comes before the job that was behind it (a limit's held job starts on time "
                            + "however long the line behind it)")
                    .isEqualTo(a);
            assertThat(fetchOne().id()).isEqualTo(c);
        }

        @Test
        void releasedWithADelayIsScheduled() {
            String id = enqueue(job("t"));
            Job running = fetchOne();
            Instant before = broker.now();
            complete(running, new Outcome.Released(LONG));
            Instant after = broker.now();
            Job j = get(id);
            assertThat(j.state()).isEqualTo(JobState.SCHEDULED);
            assertThat(j.attempt()).isZero();
            assertStampedBetween(j.scheduledAt(), before.plus(LONG), after.plus(LONG));
        }

        @Test
        @DisplayName("errors keep the newest Job.MAX_ERRORS; a retry with zero delay is due at once")
        void errorsAreBounded() {
            int n = Job.MAX_ERRORS + 5;
            String id = enqueue(job("t").maxAttempts(n + 1));
            for (int i = 1; i <= n; i++) {
                assertThat(broker.jobsPromoteDue(10)).isEqualTo(i == 1 ? 0 : 1);
                Job running = fetchOne();
                assertThat(running.attempt()).isEqualTo(i);
                complete(running, new Outcome.Retry(error(i, "boom " + i), Duration.ZERO));
            }
            Job j = get(id);
            assertThat(j.errors()).hasSize(Job.MAX_ERRORS);
            assertThat(j.errors().get(0).message()).isEqualTo("boom " + (n - Job.MAX_ERRORS + 1));
            assertThat(j.lastError().message()).isEqualTo("boom " + n);
        }

        @Test
        void completionsAnswerInOrder() {
            enqueue(job("t"));
            enqueue(job("t"));
            Job a = fetchOne();
            Job b = fetchOne();
            Lease stale = new Lease(b.id(), Q, WORKER, 9);
            List<Boolean> r = broker.jobsComplete(List.of(
                    new Completion(a.lease(), new Outcome.Succeeded("1")),
                    new Completion(stale, new Outcome.Succeeded("2")),
                    new Completion(b.lease(), new Outcome.Succeeded("3"))));
            assertThat(r).containsExactly(true, false, true);
            assertThat(get(b.id()).result()).isEqualTo("3");
        }
    }

    @Nested
    @DisplayName("fencing")
    class Fencing {
        /** Leases a job under worker-1 with a short lease, lets it lapse, rescues it and leases it to {@code next}. */
        private Job[] loseAndRefetch(String next) {
            String id = enqueue(job("t").maxAttempts(3));
            Job old = fetch(WORKER, 1, shortLease(), Q).get(0);
            advancePast(old.leaseExpiresAt());
            assertThat(broker.leasesRescueExpired(100).requeued()).containsExactly(id);
            Job current = fetch(next, 1, LONG, Q).get(0);
            assertThat(current.attempt()).isEqualTo(2);
            return new Job[] {old, current};
        }

        @Test
        void anOldLeaseCannotCompleteOrExtendAfterRescueAndRefetch() {
            Job[] jobs = loseAndRefetch("worker-2");
            Job old = jobs[0], current = jobs[1];

            assertThat(complete(old, new Outcome.Succeeded("\"stale\""))).isFalse();
            assertThat(complete(old, new Outcome.Dead(error(1, "stale")))).isFalse();
            assertThat(broker.leasesExtend(new LeaseExtension(WORKER, List.of(old.lease()), LONG))
                            .lost())
                    .containsExactly(old.id());

            Job j = get(old.id());
            assertThat(j.state()).isEqualTo(JobState.RUNNING);
            assertThat(j.workerId()).isEqualTo("worker-2");
            assertThat(j.attempt()).isEqualTo(2);
            assertThat(j.result()).isNull();
            assertSameInstant(j.leaseExpiresAt(), current.leaseExpiresAt());

            assertThat(complete(current, new Outcome.Succeeded("\"fresh\""))).isTrue();
            assertThat(get(old.id()).result()).isEqualTo("\"fresh\"");
        }

        @Test
        void theSameWorkerWithAnOlderAttemptIsRefused() {
            Job[] jobs = loseAndRefetch(WORKER);
            assertThat(complete(jobs[0], new Outcome.Succeeded("\"stale\""))).isFalse();
            Job j = get(jobs[0].id());
            assertThat(j.state()).isEqualTo(JobState.RUNNING);
            assertThat(j.attempt()).isEqualTo(2);
        }

        @Test
        void anotherWorkerCannotCompleteAJobItDoesNotHold() {
            enqueue(job("t"));
            Job running = fetchOne();
            Lease foreign = new Lease(running.id(), Q, "worker-2", running.attempt());
            assertThat(broker.jobsComplete(List.of(new Completion(foreign, new Outcome.Succeeded("1")))))
                    .containsExactly(false);
            assertThat(get(running.id()).state()).isEqualTo(JobState.RUNNING);
        }

        @Test
        void aLeaseNamingAnotherQueueIsNotHeld() {
            enqueue(job("t"));
            Job running = fetchOne();
            assertThat(running.lease().queue()).isEqualTo(Q);
            Lease elsewhere = new Lease(running.id(), "not-" + Q, WORKER, running.attempt());
            assertThat(broker.leasesExtend(new LeaseExtension(WORKER, List.of(elsewhere), LONG.multipliedBy(3)))
                            .lost())
                    .containsExactly(running.id());
            assertThat(broker.jobsComplete(List.of(new Completion(elsewhere, new Outcome.Succeeded("1")))))
                    .containsExactly(false);
            Job stored = get(running.id());
            assertThat(stored.state()).isEqualTo(JobState.RUNNING);
            assertSameInstant(stored.leaseExpiresAt(), running.leaseExpiresAt());
            assertThat(complete(running, new Outcome.Succeeded("2"))).isTrue();
        }

        @Test
        void aLeaseNamingAQueueThatCannotExistIsNotHeldAndThrowsNothing() {
            enqueue(job("t"));
            Job running = fetchOne();
            for (String odd : List.of("", " ", "bad queue\n", "{" + Q + "}", Q + "\u0007", "x".repeat(10_000))) {
                Lease elsewhere = new Lease(running.id(), odd, WORKER, running.attempt());
                assertThat(broker.leasesExtend(new LeaseExtension(WORKER, List.of(elsewhere), LONG.multipliedBy(3)))
                                .lost())
                        .as("queue %s", odd.length() > 20 ? odd.length() + " characters" : odd)
                        .containsExactly(running.id());
                assertThat(broker.jobsComplete(List.of(new Completion(elsewhere, new Outcome.Succeeded("1")))))
                        .containsExactly(false);
            }
            Job stored = get(running.id());
            assertThat(stored.state()).isEqualTo(JobState.RUNNING);
            assertSameInstant(stored.leaseExpiresAt(), running.leaseExpiresAt());
            assertThat(complete(running, new Outcome.Succeeded("2"))).isTrue();
        }

        @Test
        void aSecondCompletionOfTheSameLeaseIsRefused() {
            String id = enqueue(job("t"));
            Job running = fetchOne();
            assertThat(complete(running, new Outcome.Succeeded("1"))).isTrue();
            assertThat(complete(running, new Outcome.Dead(error(1, "late")))).isFalse();
            Job j = get(id);
            assertThat(j.state()).isEqualTo(JobState.SUCCEEDED);
            assertThat(j.result()).isEqualTo("1");
            assertThat(j.errors()).isEmpty();
        }
    }

    @Nested
    @DisplayName("completing in the caller's transaction")
    class CompletingInATransaction {
        private List<Boolean> completeIn(java.sql.Connection tx, Lease lease, Outcome outcome) {
            return broker.jobsComplete(List.of(new Completion(lease, outcome)), tx);
        }

        private java.sql.Connection transaction() throws Exception {
            Assumptions.assumeTrue(
                    broker.capabilities().contains(Capability.TRANSACTIONAL_COMPLETE),
                    "the engine cannot complete in a caller's transaction");
            java.sql.Connection tx = openTransaction();
            assertThat(tx)
                    .as("an engine with TRANSACTIONAL_COMPLETE gives the suite a connection (openTransaction)")
                    .isNotNull();
            return tx;
        }

        @Test
        @DisplayName("an engine without TRANSACTIONAL_COMPLETE refuses in one line and leaves the job running")
        void anEngineWithoutTheCapabilityRefuses() {
            Assumptions.assumeFalse(broker.capabilities().contains(Capability.TRANSACTIONAL_COMPLETE));
            String id = enqueue(job("t"));
            Job running = fetchOne();
            assertThatThrownBy(() -> completeIn(null, running.lease(), new Outcome.Succeeded("1")))
                    .isInstanceOf(KyuException.InvalidInput.class)
                    .hasMessageContaining("TRANSACTIONAL_COMPLETE")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
            assertThat(get(id).state()).isEqualTo(JobState.RUNNING);
        }

        @Test
        @DisplayName("the outcome is invisible until the caller commits, then applied")
        void theCommitApplies() throws Exception {
            String id = enqueue(job("t"));
            Job running = fetchOne();
            try (java.sql.Connection tx = transaction()) {
                assertThat(completeIn(tx, running.lease(), new Outcome.Succeeded("{\"shipped\":true}")))
                        .containsExactly(true);
                assertThat(get(id).state()).as("not before the commit").isEqualTo(JobState.RUNNING);
                tx.commit();
            }
            Job done = get(id);
            assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
            assertThat(done.result()).isEqualTo("{\"shipped\":true}");
            assertThat(done.finishedAt()).isNotNull();
        }

        @Test
        @DisplayName("a rollback leaves the job RUNNING under its lease, which can still complete it")
        void aRollbackLeavesTheJobRunning() throws Exception {
            String id = enqueue(job("t").maxAttempts(3));
            Job running = fetchOne();
            try (java.sql.Connection tx = transaction()) {
                assertThat(completeIn(tx, running.lease(), new Outcome.Dead(error(1, "rolled back"))))
                        .containsExactly(true);
                tx.rollback();
            }
            Job j = get(id);
            assertThat(j.state()).isEqualTo(JobState.RUNNING);
            assertThat(j.workerId()).isEqualTo(WORKER);
            assertThat(j.attempt()).isEqualTo(running.attempt());
            assertThat(j.errors()).isEmpty();
            assertSameInstant(j.leaseExpiresAt(), running.leaseExpiresAt());
            assertThat(broker.leasesExtend(new LeaseExtension(WORKER, List.of(running.lease()), LONG))
                            .lost())
                    .isEmpty();
            assertThat(complete(running, new Outcome.Succeeded("1"))).isTrue();
            assertThat(get(id).state()).isEqualTo(JobState.SUCCEEDED);
        }

        @Test
        @DisplayName("a fenced-out completion in a transaction answers false and changes nothing, even committed")
        void fencingHolds() throws Exception {
            String id = enqueue(job("t").maxAttempts(3));
            Job old = fetch(WORKER, 1, shortLease(), Q).get(0);
            advancePast(old.leaseExpiresAt());
            assertThat(broker.leasesRescueExpired(100).requeued()).containsExactly(id);
            Job current = fetch("worker-2", 1, LONG, Q).get(0);
            List<JobError> rescued = get(id).errors(); // the rescue's kyu.WorkerLost
            try (java.sql.Connection tx = transaction()) {
                assertThat(completeIn(tx, old.lease(), new Outcome.Succeeded("\"stale\"")))
                        .containsExactly(false);
                assertThat(completeIn(
                                tx, new Lease(id, Q, WORKER, current.attempt()), new Outcome.Dead(error(2, "foreign"))))
                        .containsExactly(false);
                tx.commit();
            }
            Job j = get(id);
            assertThat(j.state()).isEqualTo(JobState.RUNNING);
            assertThat(j.workerId()).isEqualTo("worker-2");
            assertThat(j.result()).isNull();
            assertSameInstant(j.leaseExpiresAt(), current.leaseExpiresAt());

            try (java.sql.Connection tx = transaction()) {
                assertThat(completeIn(tx, current.lease(), new Outcome.Succeeded("\"fresh\"")))
                        .containsExactly(true);
                tx.commit();
            }
            try (java.sql.Connection tx = transaction()) {
                assertThat(completeIn(tx, current.lease(), new Outcome.Dead(error(2, "late"))))
                        .as("completed already")
                        .containsExactly(false);
                tx.commit();
            }
            assertThat(get(id).state()).isEqualTo(JobState.SUCCEEDED);
            assertThat(get(id).result()).isEqualTo("\"fresh\"");
            assertThat(get(id).errors()).isEqualTo(rescued);
        }
    }

    @Nested
    @DisplayName("fencing tokens")
    class FencingTokens {
        @Test
        @DisplayName(
                "the fence rises with every lease: after a hand-back, a rescue and a manual retry, though attempt does not")
        void theFenceRisesWithEveryLeaseAndNeverFalls() {
            String id = enqueue(job("t").maxAttempts(3));
            assertThat(get(id).fence()).isZero();

            Job first = fetch(WORKER, 1, shortLease(), Q).get(0);
            assertThat(first.fence()).isEqualTo(1);
            assertThat(get(id).fence()).isEqualTo(1);
            assertThat(complete(first, new Outcome.Released(Duration.ZERO))).isTrue(); // gives the attempt back

            Job second = fetch(WORKER, 1, shortLease(), Q).get(0);
            assertThat(second.attempt()).isEqualTo(first.attempt());
            assertThat(second.fence()).isEqualTo(2);

            advancePast(second.leaseExpiresAt());
            assertThat(broker.leasesRescueExpired(100).requeued()).containsExactly(id);
            assertThat(get(id).fence()).isEqualTo(2);
            Job third = fetch("worker-2", 1, LONG, Q).get(0);
            assertThat(third.fence()).isEqualTo(3);

            assertThat(complete(third, new Outcome.Dead(error(third.attempt(), "boom"))))
                    .isTrue();
            assertThat(broker.jobsRetry(dev.kyu.spi.RetryRequest.ids(List.of(id))))
                    .isEqualTo(1);
            Job afterRetry = fetchOne();
            assertThat(afterRetry.attempt()).isEqualTo(1);
            assertThat(afterRetry.fence()).isEqualTo(4);
            assertThat(get(id).fence()).isEqualTo(4);
        }
    }

    @Nested
    @DisplayName("progress")
    class ProgressStorage {
        private LeaseExtension withProgress(Job running, double fraction, String message) {
            return new LeaseExtension(
                    running.workerId(),
                    List.of(running.lease()),
                    LONG,
                    java.util.Map.of(running.id(), new dev.kyu.job.Progress(fraction, message)));
        }

        @Test
        void progressRidesTheHeartbeatAndIsKeptAfterTheJobEnds() {
            String id = enqueue(job("t"));
            assertThat(get(id).progress()).isNull();
            Job running = fetchOne();
            assertThat(broker.leasesExtend(withProgress(running, 0.42, "resized 42 of 100"))
                            .lost())
                    .isEmpty();
            assertThat(get(id).progress()).isEqualTo(new dev.kyu.job.Progress(0.42, "resized 42 of 100"));

            // a heartbeat without progress leaves the stored progress alone
            broker.leasesExtend(new LeaseExtension(WORKER, List.of(running.lease()), LONG));
            assertThat(get(id).progress()).isEqualTo(new dev.kyu.job.Progress(0.42, "resized 42 of 100"));

            broker.leasesExtend(withProgress(running, 1.0, null));
            assertThat(complete(running, new Outcome.Succeeded("1"))).isTrue();
            Job done = get(id);
            assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
            assertThat(done.progress()).isEqualTo(new dev.kyu.job.Progress(1.0, null));
            assertThat(broker.jobsList(new dev.kyu.spi.JobQuery(JobState.SUCCEEDED, Q, null, null, 10, 0)))
                    .extracting(Job::progress)
                    .containsExactly(new dev.kyu.job.Progress(1.0, null));
        }

        @Test
        void aLostLeaseCannotWriteProgress() {
            String id = enqueue(job("t").maxAttempts(3));
            Job old = fetch(WORKER, 1, shortLease(), Q).get(0);
            advancePast(old.leaseExpiresAt());
            broker.leasesRescueExpired(100);
            Job current = fetch("worker-2", 1, LONG, Q).get(0);
            broker.leasesExtend(withProgress(current, 0.5, "fresh"));

            assertThat(broker.leasesExtend(withProgress(old, 0.9, "stale")).lost())
                    .containsExactly(id);
            assertThat(get(id).progress()).isEqualTo(new dev.kyu.job.Progress(0.5, "fresh"));
        }
    }

    @Nested
    @DisplayName("rescue of expired leases")
    class Rescue {
        @Test
        void anExpiredLeaseIsRequeuedWithAWorkerLostError() {
            String id = enqueue(job("t").maxAttempts(3));
            Job running = fetch(WORKER, 1, shortLease(), Q).get(0);
            advancePast(running.leaseExpiresAt());

            RescueResult r = broker.leasesRescueExpired(100);
            assertThat(r.requeued()).containsExactly(id);
            assertThat(r.failed()).isEmpty();
            assertThat(r.cancelled()).isEmpty();
            Job j = get(id);
            assertThat(j.state()).isEqualTo(JobState.QUEUED);
            assertThat(j.attempt()).isEqualTo(1);
            assertThat(j.lastError().type()).isEqualTo(JobError.WORKER_LOST);
            assertThat(broker.leasesRescueExpired(100).total()).isZero();
            assertThat(fetchOne().attempt()).isEqualTo(2);
        }

        @Test
        void aLiveLeaseIsLeftAlone() {
            String id = enqueue(job("t"));
            fetchOne();
            assertThat(broker.leasesRescueExpired(100).total()).isZero();
            assertThat(get(id).state()).isEqualTo(JobState.RUNNING);
        }

        @Test
        @DisplayName("a job whose attempts keep losing their worker is quarantined in FAILED; later jobs keep flowing")
        void poisonJobIsQuarantinedWhenAttemptsAreSpent() {
            String poison = enqueue(job("t").maxAttempts(2));
            for (int attempt = 1; attempt <= 2; attempt++) {
                Job running = fetch(WORKER, 1, shortLease(), Q).get(0);
                assertThat(running.id()).isEqualTo(poison);
                assertThat(running.attempt()).isEqualTo(attempt);
                advancePast(running.leaseExpiresAt());
                RescueResult r = broker.leasesRescueExpired(100);
                assertThat(attempt == 1 ? r.requeued() : r.failed()).containsExactly(poison);
            }
            Job j = get(poison);
            assertThat(j.state()).isEqualTo(JobState.FAILED);
            assertThat(j.finishedAt()).isNotNull();
            assertThat(j.errors())
                    .extracting(JobError::type)
                    .containsExactly(JobError.WORKER_LOST, JobError.WORKER_LOST);

            String good = enqueue(job("t"));
            assertThat(fetchOne().id()).isEqualTo(good);
        }

        @Test
        void anExpiredJobThatWasAskedToCancelIsCancelled() {
            String id = enqueue(job("t").maxAttempts(3));
            Job running = fetch(WORKER, 1, shortLease(), Q).get(0);
            broker.jobsCancel(List.of(id));
            advancePast(running.leaseExpiresAt());
            assertThat(broker.leasesRescueExpired(100).cancelled()).containsExactly(id);
            assertThat(get(id).state()).isEqualTo(JobState.CANCELLED);
        }

        @Test
        void rescueHonoursItsLimit() {
            for (int i = 0; i < 3; i++) enqueue(job("t").maxAttempts(2));
            List<Job> running = fetch(WORKER, 3, shortLease(), Q);
            advancePast(running.stream()
                    .map(Job::leaseExpiresAt)
                    .max(Instant::compareTo)
                    .orElseThrow());
            assertThat(broker.leasesRescueExpired(2).total()).isEqualTo(2);
            assertThat(broker.leasesRescueExpired(10).total()).isEqualTo(1);
            assertThat(broker.queueCounts(Q).get(JobState.QUEUED)).isEqualTo(3L);
        }
    }
}
