package dev.kyu.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kyu.job.Job;
import dev.kyu.job.JobIds;
import dev.kyu.job.JobState;
import dev.kyu.job.UniqueScope;
import dev.kyu.spi.CancelResult;
import dev.kyu.spi.EnqueueRequest;
import dev.kyu.spi.EnqueueResult;
import dev.kyu.spi.JobQuery;
import dev.kyu.spi.NewJob;
import dev.kyu.spi.Outcome;
import dev.kyu.spi.QueueInfo;
import dev.kyu.spi.RetryRequest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Conformance: unique keys and the control verbs (cancel, retry, delete, purge, pause). */
public abstract class ControlConformance extends WorkConformance {

    private NewJob unique(String key, UniqueScope scope, String queue) {
        return job("t", queue)
                .unique(key, scope, scope == UniqueScope.PERIOD ? gap() : null)
                .build();
    }

    private long stored(String queue) {
        return broker.jobsList(JobQuery.all(100).withQueue(queue)).size();
    }

    @Nested
    @DisplayName("unique keys")
    class Uniqueness {
        @Test
        void queuedScopeHoldsWhileWaitingOnly() {
            String first = enqueue(unique("k", UniqueScope.QUEUED, Q));
            EnqueueResult dup = enqueueOne(unique("k", UniqueScope.QUEUED, Q));
            assertThat(dup).isEqualTo(new EnqueueResult(first, false));
            assertThat(stored(Q)).isEqualTo(1);

            fetchOne();
            EnqueueResult whileRunning = enqueueOne(unique("k", UniqueScope.QUEUED, Q));
            assertThat(whileRunning.created()).isTrue();
            assertThat(whileRunning.id()).isNotEqualTo(first);
        }

        @Test
        void queuedScopeCoversScheduledJobs() {
            String first = enqueue(job("t").delay(LONG).unique("k", UniqueScope.QUEUED, null));
            assertThat(enqueueOne(unique("k", UniqueScope.QUEUED, Q))).isEqualTo(new EnqueueResult(first, false));
        }

        @Test
        void activeScopeHoldsWhileRunningAndEndsWhenTheJobFinishes() {
            String first = enqueue(unique("k", UniqueScope.ACTIVE, Q));
            Job running = fetchOne();
            assertThat(enqueueOne(unique("k", UniqueScope.ACTIVE, Q))).isEqualTo(new EnqueueResult(first, false));
            complete(running, new Outcome.Succeeded("null"));
            EnqueueResult after = enqueueOne(unique("k", UniqueScope.ACTIVE, Q));
            assertThat(after.created()).isTrue();
            assertThat(stored(Q)).isEqualTo(2);
        }

        @Test
        void activeScopeEndsWhenTheJobFails() {
            String first = enqueue(unique("k", UniqueScope.ACTIVE, Q));
            runTo(first, new Outcome.Dead(error(1, "x")));
            assertThat(enqueueOne(unique("k", UniqueScope.ACTIVE, Q)).created()).isTrue();
        }

        @Test
        void scopeEndsWhenTheJobIsCancelledOrDeleted() {
            String a = enqueue(unique("a", UniqueScope.QUEUED, Q));
            String b = enqueue(unique("b", UniqueScope.ACTIVE, Q));
            broker.jobsCancel(List.of(a));
            broker.jobsDelete(List.of(b));
            assertThat(enqueueOne(unique("a", UniqueScope.QUEUED, Q)).created()).isTrue();
            assertThat(enqueueOne(unique("b", UniqueScope.ACTIVE, Q)).created()).isTrue();
        }

        @Test
        void periodScopeHoldsForThePeriodWhateverTheState() {
            String first = enqueue(unique("tick", UniqueScope.PERIOD, Q));
            Job j = runTo(first, new Outcome.Succeeded("null"));
            assertThat(enqueueOne(unique("tick", UniqueScope.PERIOD, Q))).isEqualTo(new EnqueueResult(first, false));

            advancePast(j.enqueuedAt().plus(gap()));
            EnqueueResult later = enqueueOne(unique("tick", UniqueScope.PERIOD, Q));
            assertThat(later.created()).isTrue();
            assertThat(later.id()).isNotEqualTo(first);
        }

        @Test
        void keysAreHonouredWithinOneBatch() {
            NewJob a = unique("k", UniqueScope.ACTIVE, Q);
            NewJob b = unique("k", UniqueScope.ACTIVE, Q);
            NewJob c = unique("other", UniqueScope.ACTIVE, Q);
            List<EnqueueResult> r = broker.jobsEnqueue(EnqueueRequest.of(List.of(a, b, c)));
            assertThat(r)
                    .containsExactly(
                            new EnqueueResult(a.id(), true),
                            new EnqueueResult(a.id(), false),
                            new EnqueueResult(c.id(), true));
            assertThat(broker.jobGet(b.id())).isEmpty();
            assertThat(stored(Q)).isEqualTo(2);
        }

        @Test
        @DisplayName("a unique key is global: it holds across queues")
        void keysAreGlobalAcrossQueues() {
            String first = enqueue(unique("k", UniqueScope.ACTIVE, "a"));
            assertThat(enqueueOne(unique("k", UniqueScope.ACTIVE, "b"))).isEqualTo(new EnqueueResult(first, false));
            assertThat(stored("b")).isZero();
        }
    }

    @Nested
    @DisplayName("cancel")
    class Cancel {
        @Test
        void waitingJobsAreCancelledAndNeverFetched() {
            String queued = enqueue(job("t"));
            String scheduled = enqueue(job("t").delay(LONG));
            assertThat(broker.jobsCancel(List.of(queued, scheduled)))
                    .containsExactly(CancelResult.CANCELLED, CancelResult.CANCELLED);
            assertThat(get(queued).state()).isEqualTo(JobState.CANCELLED);
            assertThat(get(queued).finishedAt()).isNotNull();
            assertThat(get(scheduled).state()).isEqualTo(JobState.CANCELLED);
            assertThat(fetch(10)).isEmpty();
        }

        @Test
        void aRunningJobIsFlaggedAndEndsCancelledWhenItsWorkerSaysSo() {
            String id = enqueue(job("t"));
            Job running = fetchOne();
            assertThat(broker.jobsCancel(List.of(id))).containsExactly(CancelResult.CANCEL_REQUESTED);
            Job flagged = get(id);
            assertThat(flagged.state()).isEqualTo(JobState.RUNNING);
            assertThat(flagged.cancelRequested()).isTrue();
            assertThat(complete(running, new Outcome.Cancelled(error(1, "cancelled"))))
                    .isTrue();
            assertThat(get(id).state()).isEqualTo(JobState.CANCELLED);
        }

        @Test
        void finishedAndUnknownJobsAreReportedAndUnchanged() {
            String done = enqueue(job("t"));
            runTo(done, new Outcome.Succeeded("42"));
            String unknown = JobIds.next();
            assertThat(broker.jobsCancel(List.of(done, unknown)))
                    .containsExactly(CancelResult.ALREADY_FINISHED, CancelResult.NOT_FOUND);
            Job j = get(done);
            assertThat(j.state()).isEqualTo(JobState.SUCCEEDED);
            assertThat(j.result()).isEqualTo("42");
            assertThat(broker.jobGet(unknown)).isEmpty();
        }
    }

    @Nested
    @DisplayName("retry by hand")
    class RetryByHand {
        @Test
        void listedFailedAndCancelledJobsGoBackToQueuedWithAttemptsResetAndErrorsKept() {
            String failed = enqueue(job("t").maxAttempts(1));
            runTo(failed, new Outcome.Dead(error(1, "bad")));
            String cancelled = enqueue(job("t"));
            broker.jobsCancel(List.of(cancelled));
            String waiting = enqueue(job("t").delay(LONG));
            String unknown = JobIds.next();

            assertThat(broker.jobsRetry(RetryRequest.ids(List.of(failed, cancelled, waiting, unknown))))
                    .isEqualTo(2);
            Job f = get(failed);
            assertThat(f.state()).isEqualTo(JobState.QUEUED);
            assertThat(f.attempt()).isZero();
            assertThat(f.finishedAt()).isNull();
            assertThat(f.errors()).extracting(e -> e.message()).containsExactly("bad");
            assertThat(get(cancelled).state()).isEqualTo(JobState.QUEUED);
            assertThat(get(waiting).state()).isEqualTo(JobState.SCHEDULED);

            Job again = fetch(10).stream()
                    .filter(j -> j.id().equals(failed))
                    .findFirst()
                    .orElseThrow();
            assertThat(again.attempt()).isEqualTo(1);
        }

        @Test
        void allFailedOfOneQueueOrOfEveryQueue() {
            for (String q : List.of("a", "a", "b")) {
                String id = enqueue(job("t", q));
                Job running = fetch(WORKER, 1, LONG, q).get(0);
                assertThat(running.id()).isEqualTo(id);
                complete(running, new Outcome.Dead(error(1, "x")));
            }
            String ok = enqueue(job("t", "a"));
            runTo(ok, new Outcome.Succeeded("null"), "a");

            assertThat(broker.jobsRetry(RetryRequest.allFailed("a"))).isEqualTo(2);
            assertThat(broker.queueCounts("a").get(JobState.QUEUED)).isEqualTo(2L);
            assertThat(broker.queueCounts("a").get(JobState.SUCCEEDED)).isEqualTo(1L);
            assertThat(broker.queueCounts("b").get(JobState.FAILED)).isEqualTo(1L);
            assertThat(broker.jobsRetry(RetryRequest.allFailed(null))).isEqualTo(1);
            assertThat(broker.queueCounts("b").get(JobState.QUEUED)).isEqualTo(1L);
        }
    }

    private void runTo(String id, Outcome outcome, String queue) {
        Job running = fetch(WORKER, 1, LONG, queue).get(0);
        assertThat(running.id()).isEqualTo(id);
        assertThat(complete(running, outcome)).isTrue();
    }

    @Nested
    @DisplayName("delete, purge, pause")
    class QueueControl {
        @Test
        void deleteRemovesAnyJobButARunningOne() {
            String failed = enqueue(job("t"));
            runTo(failed, new Outcome.Dead(error(1, "x")), Q);
            String running = enqueue(job("t"));
            assertThat(fetchOne().id()).isEqualTo(running);
            String queued = enqueue(job("t"));
            String scheduled = enqueue(job("t").delay(LONG));

            assertThat(broker.jobsDelete(List.of(queued, failed, scheduled, running, JobIds.next())))
                    .isEqualTo(3);
            assertThat(broker.jobGet(queued)).isEmpty();
            assertThat(broker.jobGet(failed)).isEmpty();
            assertThat(broker.jobGet(scheduled)).isEmpty();
            assertThat(get(running).state()).isEqualTo(JobState.RUNNING);
            assertThat(broker.queueCounts(Q).get(JobState.RUNNING)).isEqualTo(1L);
            assertThat(broker.queueCounts(Q).get(JobState.QUEUED)).isZero();
        }

        @Test
        void purgeDeletesOnlyTheWaitingJobsOfThatQueue() {
            String running = enqueue(job("t", "a"));
            fetch(WORKER, 1, LONG, "a");
            String done = enqueue(job("t", "a"));
            runTo(done, new Outcome.Succeeded("null"), "a");
            enqueue(job("t", "a"));
            enqueue(job("t", "a"));
            enqueue(job("t", "a").delay(LONG));
            String other = enqueue(job("t", "b"));

            assertThat(broker.queuePurge("a")).isEqualTo(3);
            var counts = broker.queueCounts("a");
            assertThat(counts.get(JobState.QUEUED)).isZero();
            assertThat(counts.get(JobState.SCHEDULED)).isZero();
            assertThat(get(running).state()).isEqualTo(JobState.RUNNING);
            assertThat(get(done).state()).isEqualTo(JobState.SUCCEEDED);
            assertThat(get(other).state()).isEqualTo(JobState.QUEUED);
            assertThat(broker.queuePurge("a")).isZero();
        }

        @Test
        void aPausedQueueIsNotFetchedButStillTakesJobs() {
            broker.queuePause("a", true);
            String a = enqueue(job("t", "a"));
            String b = enqueue(job("t", "b"));
            assertThat(get(a).state()).isEqualTo(JobState.QUEUED);
            assertThat(ids(fetch(WORKER, 10, LONG, "a", "b"))).containsExactly(b);
            assertThat(broker.queuesList())
                    .filteredOn(q -> q.queue().equals("a"))
                    .extracting(QueueInfo::paused)
                    .containsExactly(true);

            broker.queuePause("a", false);
            assertThat(ids(fetch(WORKER, 10, LONG, "a"))).containsExactly(a);
            assertThat(broker.queuesList())
                    .filteredOn(q -> q.queue().equals("a"))
                    .extracting(QueueInfo::paused)
                    .containsExactly(false);
        }

        @Test
        void anEmptyPausedQueueIsStillListed() {
            broker.queuePause("idle", true);
            assertThat(broker.queuesList()).extracting(QueueInfo::queue).contains("idle");
        }

        @Test
        void resumeWakesABlockedFetch() throws Exception {
            broker.queuePause(Q, true);
            String id = enqueue(job("t"));
            var pending = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return broker.jobsFetch(
                            new dev.kyu.spi.FetchRequest(WORKER, List.of(Q), 1, LONG, Duration.ofSeconds(60)));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            broker.queuePause(Q, false);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(pending::isDone);
            assertThat(ids(pending.get())).containsExactly(id);
        }
    }
}
