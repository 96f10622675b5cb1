package dev.kyu.broker.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kyu.KyuException;
import dev.kyu.job.Job;
import dev.kyu.job.JobError;
import dev.kyu.job.JobIds;
import dev.kyu.job.JobState;
import dev.kyu.job.UniqueScope;
import dev.kyu.spi.Completion;
import dev.kyu.spi.EnqueueRequest;
import dev.kyu.spi.LeaseExtension;
import dev.kyu.spi.NewJob;
import dev.kyu.spi.Outcome;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The engine's own paths on one file, beyond what the conformance suites check on every engine: multi-row
 * inserts and their duplicate-id fallback, a run of successes in one statement, unique keys kept in their own
 * table, mixed outcome batches, the caller's JDBC transactions, reopening and a closed broker.
 */
class SqliteBrokerTest extends SqliteFileFixture {
    @Test
    void aLargeBatchIsStoredCompletedAndExtendedWhole() throws Exception {
        var batch = new ArrayList<NewJob>();
        for (int i = 0; i < 300; i++) {
            var b = NewJob.builder(JobIds.next(), "t")
                    .queue(i % 2 == 0 ? "even" : "odd")
                    .args("{\"i\":" + i + "}");
            if (i == 7)
                b.timeout(Duration.ofSeconds(3)).backoff("fixed:1s").meta(java.util.Map.of("k", "\"quoted\" \u2603"));
            batch.add(b.build());
        }
        broker.jobsEnqueue(EnqueueRequest.of(batch));
        Job seventh = broker.jobGet(batch.get(7).id()).orElseThrow();
        assertThat(seventh.args()).isEqualTo("{\"i\":7}");
        assertThat(seventh.timeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(seventh.backoff()).isEqualTo("fixed:1s");
        assertThat(seventh.meta()).containsEntry("k", "\"quoted\" \u2603");
        assertThat(seventh.enqueuedAt()).isEqualTo(clock.instant());
        assertThat(seventh.attempt()).isZero();

        List<Job> got = broker.jobsFetch(SqliteTesting.fetch("w", 300, "even", "odd"));
        assertThat(got).hasSize(300);
        var leases = new ArrayList<dev.kyu.job.Lease>();
        for (Job j : got) leases.add(j.lease());
        leases.add(new dev.kyu.job.Lease(got.get(0).id(), got.get(0).queue(), "w", 9)); // a stale attempt is lost
        var report = broker.leasesExtend(new LeaseExtension("w", leases, Duration.ofMinutes(5)));
        assertThat(report.lost()).containsExactly(got.get(0).id());
        assertThat(broker.jobGet(got.get(299).id()).orElseThrow().leaseExpiresAt())
                .isEqualTo(clock.instant().plus(Duration.ofMinutes(5)));

        var completions = new ArrayList<Completion>();
        for (Job j : got) completions.add(new Completion(j.lease(), new Outcome.Succeeded("\"r" + j.id() + "\"")));
        completions.add(
                150, new Completion(got.get(3).lease(), new Outcome.Succeeded("late"))); // a repeat, after the first
        var applied = broker.jobsComplete(completions);
        assertThat(applied.stream().filter(b -> b).count()).isEqualTo(300);
        assertThat(applied.get(150)).isFalse();
        assertThat(broker.jobGet(got.get(3).id()).orElseThrow().result())
                .isEqualTo("\"r" + got.get(3).id() + "\"");
        assertThat(broker.queueCounts("even").get(JobState.SUCCEEDED)).isEqualTo(150L);
        assertThat(broker.queueCounts("odd").get(JobState.SUCCEEDED)).isEqualTo(150L);
        assertThat(broker.statsHistory(clock.instant().minusSeconds(60), null))
                .extracting(s -> s.queue() + "=" + s.succeeded())
                .containsExactlyInAnyOrder("even=150", "odd=150");
    }

    @Test
    void aBatchWithADuplicateIdStoresNothing() {
        String id = SqliteTesting.enqueue(broker, "q");
        // Large enough that the duplicate sits inside a multi-row insert.
        var batch = new ArrayList<NewJob>();
        for (int i = 0; i < 150; i++)
            batch.add(
                    NewJob.builder(i == 70 ? id : JobIds.next(), "t").queue("q").build());
        assertThatThrownBy(() -> broker.jobsEnqueue(EnqueueRequest.of(batch)))
                .isInstanceOf(KyuException.InvalidInput.class)
                .hasMessageContaining(id);
        assertThat(broker.jobGet(batch.get(0).id())).isEmpty();
        assertThat(broker.jobGet(batch.get(149).id())).isEmpty();
        assertThat(broker.jobsList(dev.kyu.spi.JobQuery.all(1000)))
                .extracting(Job::id)
                .containsExactly(id);
    }

    @Test
    void uniqueKeysHoldWithinABatchAndAcrossCalls() throws Exception {
        NewJob a = NewJob.builder(JobIds.next(), "t")
                .unique("k", UniqueScope.QUEUED, null)
                .build();
        NewJob b = NewJob.builder(JobIds.next(), "t")
                .unique("k", UniqueScope.QUEUED, null)
                .build();
        var r = broker.jobsEnqueue(EnqueueRequest.of(List.of(a, b)));
        assertThat(r.get(0).created()).isTrue();
        assertThat(r.get(1).created()).isFalse();
        assertThat(r.get(1).id()).isEqualTo(a.id());
        broker.jobsFetch(SqliteTesting.fetch("w", 1, "default"));
        NewJob c = NewJob.builder(JobIds.next(), "t")
                .unique("k", UniqueScope.QUEUED, null)
                .build();
        assertThat(broker.jobsEnqueue(EnqueueRequest.of(List.of(c))).get(0).created())
                .isTrue();

        NewJob p1 = NewJob.builder(JobIds.next(), "t")
                .unique("tick", UniqueScope.PERIOD, Duration.ofMinutes(1))
                .build();
        NewJob p2 = NewJob.builder(JobIds.next(), "t")
                .unique("tick", UniqueScope.PERIOD, Duration.ofMinutes(1))
                .build();
        assertThat(broker.jobsEnqueue(EnqueueRequest.of(List.of(p1))).get(0).created())
                .isTrue();
        broker.jobsDelete(List.of(p1.id()));
        assertThat(broker.jobsEnqueue(EnqueueRequest.of(List.of(p2))).get(0))
                .satisfies(x -> assertThat(x.created()).isFalse());
        clock.advance(Duration.ofMinutes(2));
        assertThat(broker.jobsEnqueue(EnqueueRequest.of(List.of(p2))).get(0).created())
                .isTrue();
    }

    @Test
    void outcomesAreFencedAndCountedPerMinute() throws Exception {
        for (int i = 0; i < 3; i++)
            SqliteTesting.enqueue(
                    broker,
                    NewJob.builder(JobIds.next(), "t").queue("q").maxAttempts(3).build());
        List<Job> got = broker.jobsFetch(SqliteTesting.fetch("w", 3, "q"));
        var error = JobError.reason(1, "Boom", "boom", clock.instant());
        var applied = broker.jobsComplete(List.of(
                new Completion(got.get(0).lease(), new Outcome.Succeeded("{\"ok\":true}")),
                new Completion(got.get(1).lease(), new Outcome.Retry(error, Duration.ofSeconds(10))),
                new Completion(got.get(2).lease(), new Outcome.Dead(error)),
                new Completion(got.get(0).lease(), new Outcome.Dead(error)),
                new Completion(
                        new dev.kyu.job.Lease(got.get(2).id(), got.get(2).queue(), "other", 1),
                        new Outcome.Succeeded("null"))));
        assertThat(applied).containsExactly(true, true, true, false, false);
        assertThat(broker.jobGet(got.get(0).id()).orElseThrow().result()).isEqualTo("{\"ok\":true}");
        Job retried = broker.jobGet(got.get(1).id()).orElseThrow();
        assertThat(retried.state()).isEqualTo(JobState.SCHEDULED);
        assertThat(retried.scheduledAt()).isEqualTo(clock.instant().plusSeconds(10));
        assertThat(retried.errors()).containsExactly(error);
        assertThat(broker.jobGet(got.get(2).id()).orElseThrow().state()).isEqualTo(JobState.FAILED);

        var stats = broker.statsHistory(clock.instant().minusSeconds(60), null);
        assertThat(stats).singleElement().satisfies(s -> {
            assertThat(s.queue()).isEqualTo("q");
            assertThat(s.succeeded()).isEqualTo(1);
            assertThat(s.failed()).isEqualTo(1);
            assertThat(s.retried()).isEqualTo(1);
        });

        clock.advance(Duration.ofSeconds(10));
        Job second = broker.jobsFetch(SqliteTesting.fetch("w", 1, "q")).get(0);
        assertThat(second.id()).isEqualTo(retried.id());
        assertThat(second.attempt()).isEqualTo(2);
        broker.jobsCancel(List.of(second.id()));
        var report = broker.leasesExtend(
                new LeaseExtension("w", List.of(second.lease(), got.get(0).lease()), Duration.ofMinutes(1)));
        assertThat(report.cancelRequested()).containsExactly(second.id());
        assertThat(report.lost()).containsExactly(got.get(0).id());
    }

    @Test
    void enqueueInsideTheCallersTransactionCommitsAndRollsBackWithIt() throws Exception {
        NewJob kept = NewJob.builder(JobIds.next(), "t").build();
        NewJob dropped = NewJob.builder(JobIds.next(), "t").build();
        try (Connection c = SqliteTesting.raw(file)) {
            c.createStatement().execute("PRAGMA busy_timeout = 5000");
            c.setAutoCommit(false);
            broker.jobsEnqueue(new EnqueueRequest(List.of(kept), c));
            assertThat(broker.jobGet(kept.id())).isEmpty(); // not visible before the caller commits
            c.commit();
            broker.jobsEnqueue(new EnqueueRequest(List.of(dropped), c));
            c.rollback();
        }
        assertThat(broker.jobGet(kept.id())).isPresent();
        assertThat(broker.jobGet(dropped.id())).isEmpty();

        var autoCommitted = new ArrayList<NewJob>();
        for (int i = 0; i < 3; i++)
            autoCommitted.add(NewJob.builder(JobIds.next(), "t").build());
        try (Connection c = SqliteTesting.raw(file)) {
            c.createStatement().execute("PRAGMA busy_timeout = 5000");
            broker.jobsEnqueue(new EnqueueRequest(autoCommitted, c)); // auto-commit: stored at once, as one batch
        }
        assertThat(autoCommitted)
                .allSatisfy(j -> assertThat(broker.jobGet(j.id())).isPresent());

        try (Connection other = SqliteTesting.raw(dir.resolve("other.db"))) {
            assertThatThrownBy(() -> broker.jobsEnqueue(new EnqueueRequest(
                            List.of(NewJob.builder(JobIds.next(), "t").build()), other)))
                    .isInstanceOf(KyuException.InvalidInput.class)
                    .hasMessageContaining("same file");
        }
    }

    @Test
    void completionInsideTheCallersTransactionNeedsTheSameFileAndAutoCommitIsOneTransaction() throws Exception {
        String first =
                SqliteTesting.enqueue(broker, NewJob.builder(JobIds.next(), "t").build());
        String second =
                SqliteTesting.enqueue(broker, NewJob.builder(JobIds.next(), "t").build());
        List<Job> running = broker.jobsFetch(SqliteTesting.fetch("w", 2, "default"));
        assertThat(running).extracting(Job::id).containsExactly(first, second);
        var done = List.of(
                new Completion(running.get(0).lease(), new Outcome.Succeeded("1")),
                new Completion(
                        running.get(1).lease(), new Outcome.Dead(JobError.reason(1, "x.Y", "no", clock.instant()))));

        try (Connection other = SqliteTesting.raw(dir.resolve("other.db"))) {
            other.setAutoCommit(false);
            assertThatThrownBy(() -> broker.jobsComplete(done, other))
                    .isInstanceOf(KyuException.InvalidInput.class)
                    .hasMessageContaining("same file")
                    .hasMessageNotContaining("\n");
        }
        assertThat(broker.jobGet(first).orElseThrow().state()).isEqualTo(JobState.RUNNING);

        try (Connection c = SqliteTesting.raw(file)) {
            c.createStatement().execute("PRAGMA busy_timeout = 5000");
            assertThat(broker.jobsComplete(done, c))
                    .containsExactly(true, true); // auto-commit: stored at once, as one batch
        }
        assertThat(broker.jobGet(first).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(broker.jobGet(second).orElseThrow().state()).isEqualTo(JobState.FAILED);
    }

    @Test
    void jobsSurviveReopening() throws Exception {
        String id = SqliteTesting.enqueue(
                broker,
                NewJob.builder(JobIds.next(), "t")
                        .meta(java.util.Map.of("tenant", "acme"))
                        .build());
        broker.kvPut("schedule:a", "1");
        broker.close();
        broker = SqliteTesting.open(file, clock);
        Job j = broker.jobGet(id).orElseThrow();
        assertThat(j.state()).isEqualTo(JobState.QUEUED);
        assertThat(j.meta()).containsEntry("tenant", "acme");
        assertThat(broker.kvList("schedule:")).containsEntry("schedule:a", "1");
    }

    @Test
    void aClosedBrokerSaysSo() throws Exception {
        broker.close();
        assertThatThrownBy(() -> broker.jobGet("x"))
                .isInstanceOf(KyuException.BrokerUnavailable.class)
                .hasMessageContaining("closed");
        assertThat(broker.jobsFetch(SqliteTesting.fetch("w", 1, "q"))).isEmpty();
    }
}
