package dev.kyu.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kyu.KyuException;
import dev.kyu.job.Job;
import dev.kyu.job.JobIds;
import dev.kyu.job.JobState;
import dev.kyu.job.UniqueScope;
import dev.kyu.spi.EnqueueRequest;
import dev.kyu.spi.EnqueueResult;
import dev.kyu.spi.JobQuery;
import dev.kyu.spi.NewJob;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Conformance: storing jobs, delays and due times, and the order jobs come out in. */
public abstract class EnqueueConformance extends ConformanceSupport {

    @Nested
    @DisplayName("enqueue")
    class Enqueue {
        @Test
        void jobGetReturnsEveryFieldAsEnqueued() {
            String args =
                    "{ \"to\" : \"ana@example.org\",\"amount\":12.50, \"items\":[1, 2.0,\"x\"], \"note\":\"café ☕ 😀\" }";
            NewJob nj = NewJob.builder(JobIds.next(), "mail.send")
                    .queue("mail")
                    .args(args)
                    .priority(7)
                    .maxAttempts(5)
                    .timeout(Duration.ofSeconds(90))
                    .backoff("exp:1s:5m")
                    .unique("order-17", UniqueScope.ACTIVE, null)
                    .meta(Map.of("traceId", "abc123", "tenant", "t-1"))
                    .build();
            Instant before = broker.now();
            EnqueueResult r = enqueueOne(nj);
            Instant after = broker.now();

            assertThat(r).isEqualTo(new EnqueueResult(nj.id(), true));
            Job j = get(nj.id());
            assertThat(j.id()).isEqualTo(nj.id());
            assertThat(j.task()).isEqualTo("mail.send");
            assertThat(j.queue()).isEqualTo("mail");
            assertThat(j.args()).isEqualTo(args);
            assertThat(j.priority()).isEqualTo(7);
            assertThat(j.state()).isEqualTo(JobState.QUEUED);
            assertThat(j.attempt()).isZero();
            assertThat(j.maxAttempts()).isEqualTo(5);
            assertStampedBetween(j.enqueuedAt(), before, after);
            assertSameInstant(j.scheduledAt(), j.enqueuedAt());
            assertThat(j.startedAt()).isNull();
            assertThat(j.finishedAt()).isNull();
            assertThat(j.leaseExpiresAt()).isNull();
            assertThat(j.workerId()).isNull();
            assertThat(j.result()).isNull();
            assertThat(j.errors()).isEmpty();
            assertThat(j.uniqueKey()).isEqualTo("order-17");
            assertThat(j.timeout()).isEqualTo(Duration.ofSeconds(90));
            assertThat(j.backoff()).isEqualTo("exp:1s:5m");
            assertThat(j.meta()).isEqualTo(Map.of("traceId", "abc123", "tenant", "t-1"));
            assertThat(j.cancelRequested()).isFalse();
        }

        @Test
        void optionalFieldsStayEmpty() {
            String id = enqueue(job("kyu.noop"));
            Job j = get(id);
            assertThat(j.args()).isEqualTo("null");
            assertThat(j.priority()).isZero();
            assertThat(j.maxAttempts()).isEqualTo(1);
            assertThat(j.uniqueKey()).isNull();
            assertThat(j.timeout()).isNull();
            assertThat(j.backoff()).isNull();
            assertThat(j.meta()).isEmpty();
        }

        @Test
        void batchResultsComeInRequestOrder() {
            // tasks, queues and meta differ within the batch (an engine may send a value the batch shares once)
            var jobs = List.of(
                    job("t").meta(Map.of("k", "1")).build(),
                    job("t2", "other").build(),
                    job("t").priority(3).meta(Map.of("k", "2")).build());
            List<EnqueueResult> r = broker.jobsEnqueue(EnqueueRequest.of(jobs));
            assertThat(r)
                    .extracting(EnqueueResult::id)
                    .containsExactly(
                            jobs.get(0).id(), jobs.get(1).id(), jobs.get(2).id());
            assertThat(r).allMatch(EnqueueResult::created);
            for (NewJob nj : jobs) {
                Job stored = get(nj.id());
                assertThat(stored.queue()).isEqualTo(nj.queue());
                assertThat(stored.task()).isEqualTo(nj.task());
                assertThat(stored.meta()).isEqualTo(nj.meta() == null ? Map.of() : nj.meta());
                assertThat(stored.priority()).isEqualTo(nj.priority());
            }
        }

        @Test
        void emptyBatchStoresNothing() {
            assertThat(broker.jobsEnqueue(EnqueueRequest.of(List.of()))).isEmpty();
            assertThat(broker.jobsList(JobQuery.all(10))).isEmpty();
        }

        @Test
        @DisplayName(
                "a batch holding an id that already exists is refused whole (IllegalArgumentException or InvalidInput)")
        void batchIsAtomic() {
            NewJob existing = job("t").args("{\"v\":1}").build();
            enqueue(existing);
            NewJob b = job("t").build();
            NewJob dup = NewJob.builder(existing.id(), "t")
                    .queue(Q)
                    .args("{\"v\":2}")
                    .build();
            NewJob c = job("t").build();

            assertThatThrownBy(() -> broker.jobsEnqueue(EnqueueRequest.of(List.of(b, dup, c))))
                    .isInstanceOfAny(IllegalArgumentException.class, KyuException.InvalidInput.class);
            assertThat(broker.jobGet(b.id())).isEmpty();
            assertThat(broker.jobGet(c.id())).isEmpty();
            assertThat(get(existing.id()).args()).isEqualTo("{\"v\":1}");
            assertThat(broker.queueCounts(Q).get(JobState.QUEUED)).isEqualTo(1L);
        }

        @Test
        void aRefusedBatchLeavesNoUniqueKeyBehind() {
            String existing = enqueue(job("t"));
            NewJob periodic = job("t").unique("tick", UniqueScope.PERIOD, LONG).build();
            NewJob dup = NewJob.builder(existing, "t").queue(Q).build();
            assertThatThrownBy(() -> broker.jobsEnqueue(EnqueueRequest.of(List.of(periodic, dup))))
                    .isInstanceOfAny(IllegalArgumentException.class, KyuException.InvalidInput.class);
            EnqueueResult again =
                    enqueueOne(job("t").unique("tick", UniqueScope.PERIOD, LONG).build());
            assertThat(again.created()).isTrue();
        }

        @Test
        void blankTaskOrQueueIsRefusedAndStoresNothing() {
            assertThatThrownBy(() -> enqueue(job(" ")))
                    .isInstanceOfAny(IllegalArgumentException.class, KyuException.InvalidInput.class);
            assertThatThrownBy(() -> enqueue(job("t", "")))
                    .isInstanceOfAny(IllegalArgumentException.class, KyuException.InvalidInput.class);
            assertThat(broker.jobsList(JobQuery.all(10))).isEmpty();
        }
    }

    @Nested
    @DisplayName("the input contract: one rule for every engine, checked before a job reaches one")
    class InputContract {
        private void refused(String why, java.util.function.Supplier<NewJob> build, String phrase) {
            assertThatThrownBy(() -> broker.jobsEnqueue(EnqueueRequest.of(List.of(job("t").build(), build.get()))))
                    .as(why)
                    .isInstanceOf(KyuException.InvalidInput.class)
                    .hasMessageContaining(phrase)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
            assertThat(broker.jobsList(JobQuery.all(10)))
                    .as("nothing stored after: " + why)
                    .isEmpty();
        }

        @Test
        @DisplayName("ids are UUIDs; task and queue names are 1-200 of a-z A-Z 0-9 _ . : -")
        void idsAndNames() {
            refused("a non-UUID id", () -> NewJob.builder("job-1", "t").queue(Q).build(), "is not a UUID");
            refused("an empty id", () -> NewJob.builder("", "t").queue(Q).build(), "is not a UUID");
            refused("a task name with a space", () -> job("send mail").build(), "task name");
            refused("a task name of 201 characters", () -> job("t".repeat(201)).build(), "task name");
            refused("a queue name with a newline", () -> job("t", "a\nb").build(), "queue name");
            refused("a queue name with a slash", () -> job("t", "a/b").build(), "queue name");
            assertThat(enqueueOne(job("a-b_c.d:e").build()).created()).isTrue();
        }

        @Test
        @DisplayName("no negative delay, timeout or result ttl; run-at inside 1970 … 9999; a positive unique period")
        void timesAndDurations() {
            refused(
                    "a negative delay",
                    () -> job("t").delay(Duration.ofSeconds(-1)).build(),
                    "delay must not be negative");
            refused("a zero timeout", () -> job("t").timeout(Duration.ZERO).build(), "timeout must be positive");
            refused(
                    "a negative result ttl",
                    () -> job("t").resultTtl(Duration.ofSeconds(-1)).build(),
                    "result ttl");
            refused(
                    "a run-at before 1970",
                    () -> job("t").runAt(java.time.Instant.parse("1969-12-31T23:59:59Z"))
                            .build(),
                    "run-at");
            refused(
                    "a run-at after 9999",
                    () -> job("t").runAt(java.time.Instant.parse("+10000-01-01T00:00:00Z"))
                            .build(),
                    "run-at");
            refused(
                    "a zero unique period",
                    () -> job("t").unique("k", UniqueScope.PERIOD, Duration.ZERO)
                            .build(),
                    "unique period");
            assertThat(enqueueOne(job("t").delay(Duration.ZERO).build()).created())
                    .isTrue();
        }

        @Test
        @DisplayName("unique keys are not blank and at most 1,000 characters; links name UUIDs")
        void uniqueKeysAndLinks() {
            refused(
                    "a blank unique key",
                    () -> job("t").unique(" ", UniqueScope.ACTIVE, null).build(),
                    "unique key");
            refused(
                    "a unique key of 1,001 characters",
                    () -> job("t").unique("k".repeat(1001), UniqueScope.ACTIVE, null)
                            .build(),
                    "unique key");
            refused(
                    "a dependent that is no UUID",
                    () -> job("t").links(dev.kyu.job.JobLinks.of(0, List.of("x"), null))
                            .build(),
                    "dependent");
            refused(
                    "a retain-with that is no UUID",
                    () -> job("t").links(dev.kyu.job.JobLinks.of(0, List.of(), "x"))
                            .build(),
                    "retain-with");
            assertThat(enqueueOne(job("t").unique("k".repeat(1000), UniqueScope.ACTIVE, null)
                                    .build())
                            .created())
                    .isTrue();
        }
    }

    @Nested
    @DisplayName("delays and due times")
    class Scheduling {
        @Test
        void delayedJobIsScheduledAtNowPlusDelayAndNotFetched() {
            String id = enqueue(job("t").delay(LONG));
            Job j = get(id);
            assertThat(j.state()).isEqualTo(JobState.SCHEDULED);
            assertSameInstant(j.scheduledAt(), j.enqueuedAt().plus(LONG));
            assertThat(fetch(10)).isEmpty();
            assertThat(get(id).state()).isEqualTo(JobState.SCHEDULED);
        }

        @Test
        void runAtInTheFutureIsScheduledAtExactlyThatTime() {
            Instant at = broker.now().plus(LONG).truncatedTo(ChronoUnit.SECONDS);
            String id = enqueue(job("t").runAt(at));
            Job j = get(id);
            assertThat(j.state()).isEqualTo(JobState.SCHEDULED);
            assertThat(j.scheduledAt()).isEqualTo(at);
        }

        @Test
        void runAtInThePastIsQueuedAtOnce() {
            Instant at = broker.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
            String id = enqueue(job("t").runAt(at));
            Job j = get(id);
            assertThat(j.state()).isEqualTo(JobState.QUEUED);
            assertThat(j.scheduledAt()).isEqualTo(at);
            assertThat(fetch(10)).extracting(Job::id).containsExactly(id);
        }

        @Test
        void promoteMovesOnlyDueJobsAndIsIdempotent() {
            String soon = enqueue(job("t").delay(shortDelay()));
            String later = enqueue(job("t").delay(LONG));
            advancePast(get(soon).scheduledAt());

            assertThat(broker.jobsPromoteDue(100)).isEqualTo(1);
            assertThat(get(soon).state()).isEqualTo(JobState.QUEUED);
            assertThat(get(later).state()).isEqualTo(JobState.SCHEDULED);
            assertThat(broker.jobsPromoteDue(100)).isZero();
            assertThat(fetch(10)).extracting(Job::id).containsExactly(soon);
        }

        @Test
        void promoteHonoursItsLimit() {
            for (int i = 0; i < 3; i++) enqueue(job("t").delay(shortDelay()));
            advancePast(broker.now().plus(shortDelay()));
            assertThat(broker.jobsPromoteDue(2)).isEqualTo(2);
            assertThat(broker.jobsPromoteDue(10)).isEqualTo(1);
            assertThat(broker.queueCounts(Q).get(JobState.QUEUED)).isEqualTo(3L);
        }
    }

    @Nested
    @DisplayName("ordering")
    class Ordering {
        @Test
        void firstInFirstOutWithinOnePriority() {
            List<String> order = new java.util.ArrayList<>();
            for (int i = 0; i < 6; i++) order.add(enqueue(job("t").args("{\"i\":" + i + "}")));
            assertThat(ids(fetch(10))).containsExactlyElementsOf(order);
        }

        @Test
        void firstInFirstOutWithinOneBatch() {
            var batch = java.util.stream.IntStream.range(0, 6)
                    .mapToObj(i -> job("t").build())
                    .toList();
            broker.jobsEnqueue(EnqueueRequest.of(batch));
            assertThat(ids(fetch(10)))
                    .containsExactlyElementsOf(batch.stream().map(NewJob::id).toList());
        }

        @Test
        void higherPriorityFirstThenOldest() {
            String p0 = enqueue(job("t").priority(0));
            String p5a = enqueue(job("t").priority(5));
            String p1 = enqueue(job("t").priority(1));
            String p5b = enqueue(job("t").priority(5));
            String neg = enqueue(job("t").priority(-3));
            assertThat(ids(fetch(10))).containsExactly(p5a, p5b, p1, p0, neg);
        }

        @Test
        void queuesAreReadStrictlyInTheOrderGiven() {
            String a1 = enqueue(job("t", "a"));
            String a2 = enqueue(job("t", "a"));
            String b1 = enqueue(job("t", "b"));
            String b2 = enqueue(job("t", "b"));
            assertThat(ids(fetch(WORKER, 3, LONG, "b", "a"))).containsExactly(b1, b2, a1);
            assertThat(ids(fetch(WORKER, 3, LONG, "a", "b"))).containsExactly(a2);
        }

        @Test
        void fetchNeverReturnsMoreThanItsLimit() {
            for (int i = 0; i < 5; i++) enqueue(job("t"));
            assertThat(fetch(2)).hasSize(2);
            assertThat(fetch(2)).hasSize(2);
            assertThat(fetch(2)).hasSize(1);
            assertThat(fetch(2)).isEmpty();
        }

        @Test
        void fetchReadsOnlyTheQueuesNamed() {
            enqueue(job("t", "elsewhere"));
            assertThat(fetch(WORKER, 10, LONG, Q, "never-used")).isEmpty();
            assertThat(broker.queueCounts("elsewhere").get(JobState.QUEUED)).isEqualTo(1L);
        }
    }
}
