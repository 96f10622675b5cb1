package dev.kyu.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kyu.job.Job;
import dev.kyu.job.JobIds;
import dev.kyu.job.JobLinks;
import dev.kyu.job.JobState;
import dev.kyu.spi.Capability;
import dev.kyu.spi.EnqueueRequest;
import dev.kyu.spi.JobQuery;
import dev.kyu.spi.NewJob;
import dev.kyu.spi.Outcome;
import dev.kyu.spi.PruneRequest;
import dev.kyu.spi.QueueInfo;
import dev.kyu.spi.RescueResult;
import dev.kyu.spi.RetryRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Conformance: links between jobs ({@link JobLinks}), the engine's part of workflows. A BLOCKED job waits for
 * its count to reach zero; every way a job ends (or leaves the store) releases its dependents once, in the same
 * atomic step; a job is kept while the job it is retained with exists.
 */
public abstract class LinkConformance extends ControlConformance {

    /** Engines without links (declared by capability) skip these groups; every engine that has them passes them. */
    private void needsLinks() {
        Assumptions.assumeTrue(
                broker.capabilities().contains(Capability.JOB_LINKS), "the engine declares no JOB_LINKS");
    }

    /** A job of Q that releases the given jobs when it ends. */
    private static NewJob parent(String... dependents) {
        return job("t").links(JobLinks.of(0, List.of(dependents), null)).build();
    }

    /** A job of the queue that waits for {@code n} parents. */
    private static NewJob child(String id, String queue, int n) {
        return NewJob.builder(id, "t")
                .queue(queue)
                .links(JobLinks.of(n, List.of(), null))
                .build();
    }

    private void store(NewJob... jobs) {
        broker.jobsEnqueue(EnqueueRequest.of(List.of(jobs)));
    }

    private Job runOne(Outcome outcome) {
        Job running = fetchOne();
        assertThat(complete(running, outcome)).isTrue();
        return get(running.id());
    }

    @Nested
    @DisplayName("links: blocked jobs and their release")
    class Links {
        @BeforeEach
        void engineHasLinks() {
            needsLinks();
        }

        @Test
        @DisplayName(
                "a blocked job is stored BLOCKED, never fetched or promoted, and QUEUED at the engine's now when its parent ends")
        void aBlockedJobWaitsForItsParent() {
            String c = JobIds.next();
            NewJob p = parent(c);
            store(p, child(c, Q, 1));

            Job blocked = get(c);
            assertThat(blocked.state()).isEqualTo(JobState.BLOCKED);
            assertThat(blocked.links().waitsFor()).isEqualTo(1);
            assertThat(get(p.id()).links().dependents()).containsExactly(c);
            assertThat(broker.jobsPromoteDue(100)).isZero();
            assertThat(get(c).state()).isEqualTo(JobState.BLOCKED);

            Job running = fetchOne();
            assertThat(running.id()).isEqualTo(p.id());
            assertThat(fetch(10)).isEmpty();

            Instant before = broker.now();
            assertThat(complete(running, new Outcome.Succeeded("1"))).isTrue();
            Instant after = broker.now();
            Job released = get(c);
            assertThat(released.state()).isEqualTo(JobState.QUEUED);
            assertThat(released.links().waitsFor()).isZero();
            assertStampedBetween(released.scheduledAt(), before, after);
            assertThat(get(p.id()).links().dependents())
                    .as("released once, then cleared")
                    .isEmpty();
            assertThat(fetchOne().id()).isEqualTo(c);
        }

        @Test
        @DisplayName("a due time of a blocked job does not apply: it is QUEUED at once when released")
        void aReleasedJobIsDueAtOnce() {
            String c = JobIds.next();
            NewJob p = parent(c);
            store(
                    p,
                    NewJob.builder(c, "t")
                            .queue(Q)
                            .delay(LONG)
                            .links(JobLinks.of(1, List.of(), null))
                            .build());
            assertThat(get(c).state()).isEqualTo(JobState.BLOCKED);
            runOne(new Outcome.Succeeded("null"));
            assertThat(get(c).state()).isEqualTo(JobState.QUEUED);
        }

        @Test
        @DisplayName("fan-in: a job waiting for three parents is released by the third to end, not before")
        void fanInReleasesAfterTheLastParent() {
            String c = JobIds.next();
            store(parent(c), parent(c), parent(c), child(c, "fan-in", 3));
            runOne(new Outcome.Succeeded("null"));
            runOne(new Outcome.Dead(error(1, "x")));
            Job waiting = get(c);
            assertThat(waiting.state()).isEqualTo(JobState.BLOCKED);
            assertThat(waiting.links().waitsFor()).isEqualTo(1);
            runOne(new Outcome.Succeeded("null"));
            assertThat(get(c).state()).isEqualTo(JobState.QUEUED);
            assertThat(fetch(WORKER, 5, LONG, "fan-in")).extracting(Job::id).containsExactly(c);
        }

        @Test
        @DisplayName("a parent completed twice (a redelivery, a zombie worker) releases its dependents once")
        void aDoubleCompletionReleasesOnce() {
            String c = JobIds.next();
            store(parent(c), parent(c), child(c, "fan-in", 2));
            Job running = fetchOne();
            assertThat(complete(running, new Outcome.Succeeded("null"))).isTrue();
            assertThat(complete(running, new Outcome.Succeeded("null")))
                    .as("fenced out")
                    .isFalse();
            assertThat(complete(running, new Outcome.Dead(error(1, "late"))))
                    .as("fenced out")
                    .isFalse();
            assertThat(get(c).links().waitsFor()).isEqualTo(1);
            assertThat(get(c).state()).isEqualTo(JobState.BLOCKED);
        }

        @Test
        @DisplayName("a parent retried by hand and ending again does not release its dependents a second time")
        void aRetriedParentReleasesOnlyOnce() {
            String c = JobIds.next(), d = JobIds.next();
            NewJob p = job("t").links(JobLinks.of(0, List.of(c, d), null)).build();
            NewJob other = parent(d);
            store(p, other, child(c, "c", 1), child(d, "c", 2));
            assertThat(runOne(new Outcome.Dead(error(1, "x"))).id()).isEqualTo(p.id());
            assertThat(get(c).state()).isEqualTo(JobState.QUEUED);
            assertThat(get(d).links().waitsFor()).isEqualTo(1);

            assertThat(broker.jobsRetry(RetryRequest.ids(List.of(p.id())))).isEqualTo(1);
            // p is QUEUED again behind `other`
            List<Job> both = fetch(2);
            for (Job j : both)
                assertThat(complete(j, new Outcome.Succeeded("null"))).isTrue();
            Job dAfter = get(d);
            assertThat(dAfter.state())
                    .as("released by `other`, not by p's second end")
                    .isEqualTo(JobState.QUEUED);
            assertThat(dAfter.links().waitsFor()).isZero();
            assertThat(get(c).state()).isEqualTo(JobState.QUEUED);
        }

        @Test
        @DisplayName(
                "every end releases: FAILED, CANCELLED by outcome, cancel of a waiting job; a retry or hand-back does not")
        void everyEndReleasesAndNothingElseDoes() {
            String c1 = JobIds.next(), c2 = JobIds.next(), c3 = JobIds.next(), c4 = JobIds.next();
            NewJob retried = job("t").maxAttempts(3)
                    .links(JobLinks.of(0, List.of(c1), null))
                    .build();
            store(retried, child(c1, "c", 1));
            runOne(new Outcome.Retry(error(1, "again"), Duration.ZERO));
            assertThat(get(c1).state()).isEqualTo(JobState.BLOCKED);
            advancePast(broker.now());
            broker.jobsPromoteDue(10);
            Job handedBack = runOne(new Outcome.Released(Duration.ZERO));
            assertThat(handedBack.id()).isEqualTo(retried.id());
            assertThat(get(c1).state())
                    .as("waits while its parent has attempts left")
                    .isEqualTo(JobState.BLOCKED);
            broker.jobsDelete(List.of(retried.id(), c1));

            NewJob cancelled = parent(c2);
            store(cancelled, child(c2, "c", 1));
            runOne(new Outcome.Cancelled(error(1, "stopped")));
            assertThat(get(c2).state()).isEqualTo(JobState.QUEUED);

            NewJob queued = parent(c3);
            store(queued, child(c3, "c", 1));
            broker.jobsCancel(List.of(queued.id()));
            assertThat(get(c3).state()).isEqualTo(JobState.QUEUED);

            NewJob delayed = job("t").delay(LONG)
                    .links(JobLinks.of(0, List.of(c4), null))
                    .build();
            store(delayed, child(c4, "c", 1));
            broker.jobsCancel(List.of(delayed.id()));
            assertThat(get(c4).state()).isEqualTo(JobState.QUEUED);
        }

        @Test
        @DisplayName("cancelling a blocked job ends it CANCELLED and releases its own dependents")
        void cancellingABlockedJob() {
            String b = JobIds.next(), c = JobIds.next();
            NewJob a = parent(b);
            store(
                    a,
                    NewJob.builder(b, "t")
                            .queue("c")
                            .links(JobLinks.of(1, List.of(c), null))
                            .build(),
                    child(c, "c", 1));
            broker.jobsCancel(List.of(b));
            assertThat(get(b).state()).isEqualTo(JobState.CANCELLED);
            assertThat(get(c).state()).isEqualTo(JobState.QUEUED);
            assertThat(get(a.id()).state()).isEqualTo(JobState.QUEUED);
            runOne(new Outcome.Succeeded("null"));
            assertThat(get(b).state()).as("an ended job is not released again").isEqualTo(JobState.CANCELLED);
        }

        @Test
        @DisplayName(
                "deleting a job, by id or by a purge, releases its dependents; a purge deletes the queue's blocked jobs")
        void deletingReleases() {
            String c1 = JobIds.next(), c2 = JobIds.next(), c3 = JobIds.next();
            NewJob p1 = parent(c1);
            store(p1, child(c1, "c", 1));
            assertThat(broker.jobsDelete(List.of(p1.id()))).isEqualTo(1);
            assertThat(get(c1).state()).isEqualTo(JobState.QUEUED);

            NewJob p2 =
                    job("t", "purged").links(JobLinks.of(0, List.of(c2), null)).build();
            store(p2, child(c2, "c", 1), child(c3, "purged", 1));
            assertThat(broker.queuePurge("purged")).isEqualTo(2);
            assertThat(get(c2).state()).isEqualTo(JobState.QUEUED);
            assertThat(broker.jobGet(c3)).isEmpty();
        }

        @Test
        @DisplayName("a parent rescued to FAILED (lease lost, no attempts left) releases its dependents")
        void aRescuedParentReleases() {
            String c = JobIds.next();
            NewJob p = parent(c);
            store(p, child(c, "c", 1));
            Job running = fetch(WORKER, 1, shortLease(), Q).get(0);
            advancePast(running.leaseExpiresAt());
            RescueResult r = broker.leasesRescueExpired(10);
            assertThat(r.failed()).containsExactly(p.id());
            assertThat(get(c).state()).isEqualTo(JobState.QUEUED);
        }

        @Test
        @DisplayName("blocked jobs are counted and listed by state")
        void blockedJobsAreCountedAndListed() {
            String c = JobIds.next();
            store(parent(c), child(c, "c", 1));
            QueueInfo info = broker.queuesList().stream()
                    .filter(q -> q.queue().equals("c"))
                    .findFirst()
                    .orElseThrow();
            assertThat(info.counts()).containsEntry(JobState.BLOCKED, 1L).containsEntry(JobState.QUEUED, 0L);
            assertThat(broker.queueCounts("c")).containsEntry(JobState.BLOCKED, 1L);
            assertThat(broker.jobsList(JobQuery.all(10).withState(JobState.BLOCKED)))
                    .extracting(Job::id)
                    .containsExactly(c);
        }

        @Test
        @DisplayName("a fan-in of 200 parents in one batch releases its child exactly at the last")
        void aWideFanIn() {
            String c = JobIds.next();
            var batch = new ArrayList<NewJob>();
            for (int i = 0; i < 200; i++) batch.add(parent(c));
            batch.add(child(c, "fan-in", 200));
            broker.jobsEnqueue(EnqueueRequest.of(batch));
            int done = 0;
            while (done < 199) {
                for (Job j : fetch(WORKER, Math.min(50, 199 - done), LONG, Q)) {
                    assertThat(complete(j, new Outcome.Succeeded("null"))).isTrue();
                    done++;
                }
            }
            assertThat(get(c).links().waitsFor()).isEqualTo(1);
            runOne(new Outcome.Succeeded("null"));
            assertThat(get(c).state()).isEqualTo(JobState.QUEUED);
        }

        @Test
        @DisplayName(
                "parents ending at once on many threads, each completed twice, release their two children once, at the last")
        void concurrentEndsReleaseOnce() throws Exception {
            String c = JobIds.next(), d = JobIds.next();
            int n = 64;
            var batch = new ArrayList<NewJob>();
            // half the parents name the children in one order, half in the other: releases must not deadlock
            for (int i = 0; i < n; i++) batch.add(i % 2 == 0 ? parent(c, d) : parent(d, c));
            batch.add(child(c, "fan-in", n));
            batch.add(child(d, "fan-in", n));
            broker.jobsEnqueue(EnqueueRequest.of(batch));
            var running = new ArrayList<Job>();
            while (running.size() < n) running.addAll(fetch(WORKER, n - running.size(), LONG, Q));
            var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
            var won = new java.util.concurrent.atomic.AtomicInteger();
            var tasks = new ArrayList<java.util.concurrent.Callable<Boolean>>();
            for (Job j : running) {
                tasks.add(() -> complete(j, new Outcome.Succeeded("null")));
                tasks.add(() -> complete(j, new Outcome.Dead(error(1, "a zombie's late verdict"))));
            }
            try {
                for (var f : pool.invokeAll(tasks)) if (f.get()) won.incrementAndGet();
            } finally {
                pool.shutdownNow();
            }
            assertThat(won.get()).as("one completion of each parent counts").isEqualTo(n);
            for (String id : List.of(c, d)) {
                assertThat(get(id).state()).isEqualTo(JobState.QUEUED);
                assertThat(get(id).links().waitsFor()).isZero();
            }
        }

        @Test
        @DisplayName("jobsGet returns the jobs that exist, in the order asked")
        void jobsGetInOrder() {
            String a = enqueue(job("t")), b = enqueue(job("t"));
            assertThat(broker.jobsGet(List.of(b, JobIds.next(), a)))
                    .extracting(Job::id)
                    .containsExactly(b, a);
            assertThat(broker.jobsGet(List.of())).isEmpty();
        }
    }

    @Nested
    @DisplayName("links: retention")
    class Retention {
        @BeforeEach
        void engineHasLinks() {
            needsLinks();
        }

        @Test
        @DisplayName("a job is not pruned while the job it is retained with exists, and goes after it")
        void keptWithItsAnchor() {
            NewJob anchor = job("t").delay(LONG).build();
            NewJob step = job("t").links(JobLinks.of(0, List.of(), anchor.id())).build();
            store(anchor, step);
            runOne(new Outcome.Succeeded("42"));
            Duration half = gap().dividedBy(2);
            advancePast(broker.now().plus(gap()));
            assertThat(broker.jobsPrune(new PruneRequest(half, half, null, null, 100)))
                    .isZero();
            assertThat(get(step.id()).result()).isEqualTo("42");

            broker.jobsCancel(List.of(anchor.id()));
            advancePast(broker.now().plus(gap()));
            int pruned = broker.jobsPrune(new PruneRequest(half, half, null, null, 100));
            if (pruned < 2) pruned += broker.jobsPrune(new PruneRequest(half, half, null, null, 100));
            assertThat(pruned).isEqualTo(2);
            assertThat(broker.jobGet(anchor.id())).isEmpty();
            assertThat(broker.jobGet(step.id())).isEmpty();
        }

        @Test
        @DisplayName("a job's own result ttl also waits for the job it is retained with")
        void ownTtlAlsoWaits() {
            NewJob anchor = job("t").delay(LONG).build();
            NewJob step = job("t").resultTtl(gap().dividedBy(2))
                    .links(JobLinks.of(0, List.of(), anchor.id()))
                    .build();
            store(anchor, step);
            runOne(new Outcome.Succeeded("null"));
            advancePast(broker.now().plus(gap()));
            assertThat(broker.jobsPrune(new PruneRequest(LONG, LONG, null, null, 100)))
                    .isZero();
            assertThat(broker.jobGet(step.id())).isPresent();
        }
    }
}
