package dev.kyu.broker.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kyu.job.Job;
import dev.kyu.job.JobError;
import dev.kyu.job.JobIds;
import dev.kyu.job.JobLinks;
import dev.kyu.job.JobState;
import dev.kyu.spi.EnqueueRequest;
import dev.kyu.spi.NewJob;
import dev.kyu.spi.PruneRequest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Links on SQLite beyond the conformance suite: rows whose link columns were written behind Kyu's back are
 * quarantined and release what they can, never wait for ever or stop a sweep; a linked batch commits or
 * vanishes with the caller's transaction.
 */
class SqliteLinksTest extends SqliteFileFixture {

    private NewJob linked(String id, String queue, int waitsFor, String... dependents) {
        return NewJob.builder(id, "t")
                .queue(queue)
                .links(JobLinks.of(waitsFor, List.of(dependents), null))
                .build();
    }

    private void store(NewJob... jobs) {
        broker.jobsEnqueue(EnqueueRequest.of(List.of(jobs)));
    }

    private void set(String id, String column, Object value) throws Exception {
        try (Connection c = SqliteTesting.raw(file);
                PreparedStatement ps = c.prepareStatement("UPDATE jobs SET " + column + " = ? WHERE id = ?")) {
            ps.setObject(1, value);
            ps.setString(2, id);
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
    }

    private Job get(String id) {
        return broker.jobGet(id).orElseThrow();
    }

    private void assertQuarantined(String id) {
        Job j = get(id);
        assertThat(j.state()).isEqualTo(JobState.FAILED);
        assertThat(j.lastError().type()).isEqualTo(JobError.CORRUPT);
        assertThat(j.links().dependents()).as("released once, then cleared").isEmpty();
    }

    @Test
    void aBlockedRowNoReleaseCanMoveIsQuarantinedByThePromoteSweepAndReleasesItsOwnDependents() throws Exception {
        String p = JobIds.next(), c1 = JobIds.next(), c2 = JobIds.next(), d1 = JobIds.next(), d2 = JobIds.next();
        store(
                linked(p, "q", 0, c1, c2),
                linked(c1, "c", 1, d1),
                linked(c2, "c", 1, d2),
                linked(d1, "d", 1),
                linked(d2, "d", 1));
        set(c1, "waits_for", "soon");
        set(c2, "waits_for", 0);

        broker.jobsPromoteDue(100);

        assertQuarantined(c1);
        assertQuarantined(c2);
        assertThat(get(d1).state()).isEqualTo(JobState.QUEUED);
        assertThat(get(d2).state()).isEqualTo(JobState.QUEUED);
        assertThat(broker.jobsFetch(SqliteTesting.fetch("w", 10, "q")).get(0).id())
                .isEqualTo(p);
    }

    @Test
    void aParentWhoseDependentsAreNotReadableIsQuarantinedAtFetchAndTheQueueFlows() throws Exception {
        String p = JobIds.next(), c = JobIds.next();
        store(linked(p, "q", 0, c), linked(c, "c", 1));
        set(p, "dependents", "{oops");
        String good = SqliteTesting.enqueue(broker, "q");

        assertThat(broker.jobsFetch(SqliteTesting.fetch("w", 10, "q")))
                .extracting(Job::id)
                .containsExactly(good);
        Job bad = get(p);
        assertThat(bad.state()).isEqualTo(JobState.FAILED);
        assertThat(bad.lastError().stackTrace()).contains("{oops");
        assertThat(get(c).state())
                .as("a list that cannot be read releases nothing")
                .isEqualTo(JobState.BLOCKED);
    }

    @Test
    void aNegativeWaitCountIsQuarantinedNotRun() throws Exception {
        String p = JobIds.next();
        store(linked(p, "q", 0));
        set(p, "waits_for", -2);
        String good = SqliteTesting.enqueue(broker, "q");
        assertThat(broker.jobsFetch(SqliteTesting.fetch("w", 10, "q")))
                .extracting(Job::id)
                .containsExactly(good);
        assertThat(get(p).lastError().message()).contains("waits_for out of range");
    }

    @Test
    void aRunningParentQuarantinedByTheRescueReleasesItsDependents() throws Exception {
        String p = JobIds.next(), c = JobIds.next();
        store(linked(p, "q", 0, c), linked(c, "c", 1));
        assertThat(broker.jobsFetch(SqliteTesting.fetch("w", 1, "q")))
                .extracting(Job::id)
                .containsExactly(p);
        set(p, "lease_expires_at", null);

        assertThat(broker.leasesRescueExpired(10).failed()).containsExactly(p);
        assertQuarantined(p);
        assertThat(get(c).state()).isEqualTo(JobState.QUEUED);
        assertThat(get(c).scheduledAt()).isEqualTo(clock.instant());
    }

    @Test
    void aRowFoundCorruptByJobsGetIsQuarantinedAndReleases() throws Exception {
        String p = JobIds.next(), c = JobIds.next();
        store(linked(p, "q", 0, c), linked(c, "c", 1));
        set(p, "retain_with", new byte[] {1, 2, 3});

        assertThat(broker.jobsGet(List.of(c, p)))
                .extracting(Job::id, Job::state)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(c, JobState.BLOCKED),
                        org.assertj.core.groups.Tuple.tuple(p, JobState.FAILED));
        assertThat(get(c).state()).isEqualTo(JobState.QUEUED);
    }

    @Test
    void aDependentNamedTwiceIsLoweredTwiceAndUnknownIdsAreSkipped() throws Exception {
        String p = JobIds.next(), c = JobIds.next();
        store(linked(p, "q", 0, c, JobIds.next(), c, JobIds.next()), linked(c, "c", 3));
        Job running = broker.jobsFetch(SqliteTesting.fetch("w", 1, "q")).get(0);
        assertThat(broker.jobsComplete(
                        List.of(new dev.kyu.spi.Completion(running.lease(), new dev.kyu.spi.Outcome.Succeeded("1")))))
                .containsExactly(true);
        Job child = get(c);
        assertThat(child.state()).isEqualTo(JobState.BLOCKED);
        assertThat(child.links().waitsFor()).isEqualTo(1);
    }

    @Test
    void parentsCompletedInOneBatchLowerTheirSharedChildOnceEach() throws Exception {
        String c = JobIds.next(), d = JobIds.next();
        store(
                linked(JobIds.next(), "q", 0, c),
                linked(JobIds.next(), "q", 0, c, d),
                linked(JobIds.next(), "q", 0, c),
                linked(JobIds.next(), "q", 0, c),
                linked(c, "c", 4),
                linked(d, "c", 1));
        List<Job> parents = broker.jobsFetch(SqliteTesting.fetch("w", 3, "q"));
        var completions = new java.util.ArrayList<dev.kyu.spi.Completion>();
        for (Job j : parents)
            completions.add(new dev.kyu.spi.Completion(j.lease(), new dev.kyu.spi.Outcome.Succeeded("null")));
        completions.add(completions.get(0)); // reported twice in the batch: applied once
        assertThat(broker.jobsComplete(completions)).containsExactly(true, true, true, false);

        Job child = get(c);
        assertThat(child.state()).isEqualTo(JobState.BLOCKED);
        assertThat(child.links().waitsFor()).isEqualTo(1);
        assertThat(broker.jobsGet(parents.stream().map(Job::id).toList()))
                .allSatisfy(p -> assertThat(p.links().dependents()).isEmpty());

        Job last = broker.jobsFetch(SqliteTesting.fetch("w", 1, "q")).get(0);
        broker.jobsComplete(List.of(new dev.kyu.spi.Completion(
                last.lease(), new dev.kyu.spi.Outcome.Dead(new JobError(1, "x", "boom", "", clock.instant())))));
        assertThat(get(c).state()).isEqualTo(JobState.QUEUED);
        assertThat(get(d).state()).as("released with the parent that named it").isEqualTo(JobState.QUEUED);
    }

    @Test
    void anEndedRowStillHoldingDependentsReleasesThemWhenPruned() throws Exception {
        String p = JobIds.next(), c = JobIds.next();
        store(linked(p, "q", 0, c), linked(c, "c", 1));
        set(p, "state", "SUCCEEDED");
        set(p, "finished_at", clock.instant().toEpochMilli());
        clock.advance(Duration.ofDays(30));

        assertThat(broker.jobsPrune(PruneRequest.defaults())).isEqualTo(1);
        assertThat(broker.jobGet(p)).isEmpty();
        assertThat(get(c).state()).isEqualTo(JobState.QUEUED);
    }

    @Test
    void aLinkedBatchCommitsOrVanishesWithTheCallersTransaction() throws Exception {
        String p = JobIds.next(), c = JobIds.next();
        try (Connection conn = SqliteTesting.raw(file)) {
            conn.setAutoCommit(false);
            broker.jobsEnqueue(new EnqueueRequest(List.of(linked(p, "q", 0, c), linked(c, "c", 1)), conn));
            conn.rollback();
        }
        assertThat(broker.jobsGet(List.of(p, c))).isEmpty();

        try (Connection conn = SqliteTesting.raw(file)) {
            conn.setAutoCommit(false);
            broker.jobsEnqueue(new EnqueueRequest(List.of(linked(p, "q", 0, c), linked(c, "c", 1)), conn));
            conn.commit();
        }
        assertThat(get(c).state()).isEqualTo(JobState.BLOCKED);
        assertThat(get(p).links().dependents()).containsExactly(c);
    }

    private long count(String sql) throws Exception {
        try (Connection c = SqliteTesting.raw(file);
                var rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private void complete(String queue) throws Exception {
        Job j = broker.jobsFetch(SqliteTesting.fetch("w", 1, queue)).get(0);
        broker.jobsComplete(List.of(new dev.kyu.spi.Completion(j.lease(), new dev.kyu.spi.Outcome.Succeeded("null"))));
    }

    @Test
    void onlyTheLastReleaseWritesTheDependentsRow() throws Exception {
        String c = JobIds.next();
        store(
                linked(JobIds.next(), "q", 0, c),
                linked(JobIds.next(), "q", 0, c),
                linked(JobIds.next(), "q", 0, c),
                linked(c, "c", 3));
        try (Connection conn = SqliteTesting.raw(file)) {
            conn.createStatement().execute("CREATE TABLE row_writes (n INTEGER)");
            conn.createStatement()
                    .execute("CREATE TRIGGER row_writes AFTER UPDATE ON jobs WHEN old.id = '" + c
                            + "' BEGIN INSERT INTO row_writes VALUES (1); END");
        }
        complete("q");
        complete("q");
        assertThat(get(c).links().waitsFor()).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM row_writes"))
                .as("a release before the last lowers the side count only")
                .isZero();

        complete("q");
        assertThat(get(c).state()).isEqualTo(JobState.QUEUED);
        assertThat(get(c).links().waitsFor()).isZero();
        assertThat(count("SELECT count(*) FROM row_writes")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM job_waits")).isZero();
    }

    @Test
    void aBlockedJobLosesItsWaitRowWhenCancelledDeletedPurgedOrQuarantined() throws Exception {
        String p = JobIds.next(),
                cancelled = JobIds.next(),
                deleted = JobIds.next(),
                purged = JobIds.next(),
                bad = JobIds.next();
        store(
                linked(p, "q", 0, cancelled, deleted, purged, bad),
                linked(cancelled, "c", 1),
                linked(deleted, "c", 1),
                linked(purged, "purge", 1),
                linked(bad, "c", 1));
        assertThat(count("SELECT count(*) FROM job_waits")).isEqualTo(4);
        try (Connection c = SqliteTesting.raw(file);
                PreparedStatement ps = c.prepareStatement("UPDATE job_waits SET waits_for = 'soon' WHERE job_id = ?")) {
            ps.setString(1, bad);
            ps.executeUpdate();
        }

        broker.jobsCancel(List.of(cancelled));
        broker.jobsDelete(List.of(deleted));
        broker.queuePurge("purge");
        broker.jobsPromoteDue(100);

        assertThat(get(cancelled).state()).isEqualTo(JobState.CANCELLED);
        assertThat(get(bad).state()).isEqualTo(JobState.FAILED);
        assertThat(get(bad).lastError().message()).contains("job_waits.waits_for is not an integer");
        assertThat(count("SELECT count(*) FROM job_waits")).isZero();
        complete("q");
        assertThat(broker.jobsGet(List.of(cancelled, bad)))
                .extracting(Job::state)
                .containsExactly(JobState.CANCELLED, JobState.FAILED);
    }

    @Test
    void aWaitRowWhoseJobIsGoneIsDroppedBySweep() throws Exception {
        try (Connection c = SqliteTesting.raw(file)) {
            c.createStatement()
                    .execute("INSERT INTO job_waits (job_id, waits_for) VALUES ('not-a-job', 'never'), (X'00FF', -1)");
        }
        broker.jobsPromoteDue(100);
        assertThat(count("SELECT count(*) FROM job_waits")).isZero();
    }

    @Test
    void aBlockedJobQueuedByHandRunsAndItsLeftoverWaitRowIsNotRead() throws Exception {
        String c = JobIds.next();
        store(linked(c, "c", 2));
        try (Connection conn = SqliteTesting.raw(file)) {
            conn.createStatement().execute("UPDATE jobs SET state = 'QUEUED', waits_for = 0 WHERE id = '" + c + "'");
        }
        assertThat(get(c).links().waitsFor()).isZero();
        Job run = broker.jobsFetch(SqliteTesting.fetch("w", 1, "c")).get(0);
        assertThat(run.id()).isEqualTo(c);
        assertThat(run.links().waitsFor()).isZero();
    }
}
