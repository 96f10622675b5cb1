package dev.kyu.broker.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kyu.ManualClock;
import dev.kyu.job.Job;
import dev.kyu.job.JobIds;
import dev.kyu.job.JobLinks;
import dev.kyu.job.JobState;
import dev.kyu.spi.Capability;
import dev.kyu.spi.Completion;
import dev.kyu.spi.EnqueueRequest;
import dev.kyu.spi.NewJob;
import dev.kyu.spi.Outcome;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Files written by older schemas (version 1: no fence, no progress; version 2: no result ttl; version 3: no job
 * links) open, upgrade, and keep their jobs.
 */
class SchemaUpgradeTest {
    @Test
    void aVersion1FileGainsFenceAndProgressAndItsJobsRun() throws Exception {
        Path file = SqliteConformanceTest.freshFile();
        String id;
        try (SqliteBroker b = SqliteTesting.open(file, new ManualClock())) {
            id = SqliteTesting.enqueue(b, "q");
        }
        try (Connection c = SqliteTesting.raw(file)) {
            // back to what version 1 wrote
            dropLinks(c);
            dropResultTtl(c);
            c.createStatement().execute("ALTER TABLE jobs DROP COLUMN fence");
            c.createStatement().execute("ALTER TABLE jobs DROP COLUMN progress");
            c.createStatement().execute("ALTER TABLE jobs DROP COLUMN progress_message");
            c.createStatement().execute("PRAGMA user_version = 1");
        }
        try (SqliteBroker b = SqliteTesting.open(file, new ManualClock())) {
            Job old = b.jobGet(id).orElseThrow();
            assertThat(old.fence()).isZero();
            assertThat(old.progress()).isNull();
            Job leased = b.jobsFetch(SqliteTesting.fetch("w", 1, "q")).get(0);
            assertThat(leased.id()).isEqualTo(id);
            assertThat(leased.fence()).isEqualTo(1);
        }
        try (Connection c = SqliteTesting.raw(file);
                ResultSet rs = c.createStatement().executeQuery("PRAGMA user_version")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(SqliteSchema.VERSION);
        }
    }

    @Test
    void aVersion2FileGainsResultTtlAndItsJobsKeepTheGlobalRetention() throws Exception {
        Path file = SqliteConformanceTest.freshFile();
        String id;
        try (SqliteBroker b = SqliteTesting.open(file, new ManualClock())) {
            id = SqliteTesting.enqueue(b, "q");
        }
        try (Connection c = SqliteTesting.raw(file)) {
            dropLinks(c);
            dropResultTtl(c);
            c.createStatement().execute("PRAGMA user_version = 2");
        }
        try (SqliteBroker b = SqliteTesting.open(file, new ManualClock())) {
            assertThat(b.jobGet(id).orElseThrow().resultTtl()).isNull();
            var ttl = dev.kyu.spi.NewJob.builder(dev.kyu.job.JobIds.next(), "t")
                    .queue("q")
                    .resultTtl(Duration.ofMinutes(5))
                    .build();
            String withTtl = SqliteTesting.enqueue(b, ttl);
            assertThat(b.jobGet(withTtl).orElseThrow().resultTtl()).isEqualTo(Duration.ofMinutes(5));
        }
        try (Connection c = SqliteTesting.raw(file);
                ResultSet rs = c.createStatement().executeQuery("PRAGMA user_version")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(SqliteSchema.VERSION);
        }
    }

    @Test
    void aVersion3FileGainsLinksAndKeepsItsJobs() throws Exception {
        Path file = SqliteConformanceTest.freshFile();
        var clock = new ManualClock();
        String queued, delayed, done;
        try (SqliteBroker b = SqliteTesting.open(file, clock)) {
            queued = SqliteTesting.enqueue(b, "q");
            delayed = SqliteTesting.enqueue(
                    b,
                    NewJob.builder(JobIds.next(), "t")
                            .queue("q")
                            .delay(Duration.ofMinutes(5))
                            .build());
            done = SqliteTesting.enqueue(b, "done");
            Job running = b.jobsFetch(SqliteTesting.fetch("w", 1, "done")).get(0);
            b.jobsComplete(List.of(new Completion(running.lease(), new Outcome.Succeeded("42"))));
        }
        try (Connection c = SqliteTesting.raw(file)) {
            dropLinks(c);
            c.createStatement().execute("PRAGMA user_version = 3");
        }
        try (SqliteBroker b = SqliteTesting.open(file, clock)) {
            assertThat(b.jobsGet(List.of(queued, delayed, done)))
                    .extracting(Job::state)
                    .containsExactly(JobState.QUEUED, JobState.SCHEDULED, JobState.SUCCEEDED);
            assertThat(b.jobGet(done).orElseThrow().result()).isEqualTo("42");
            assertThat(b.jobGet(queued).orElseThrow().links()).isEqualTo(JobLinks.NONE);
            assertThat(b.capabilities()).contains(Capability.JOB_LINKS);

            // the old job runs, and links work on the upgraded file
            String child = JobIds.next();
            b.jobsEnqueue(EnqueueRequest.of(List.of(NewJob.builder(child, "t")
                    .queue("c")
                    .links(JobLinks.of(1, List.of(), null))
                    .build())));
            String parent = SqliteTesting.enqueue(
                    b,
                    NewJob.builder(JobIds.next(), "t")
                            .queue("p")
                            .links(JobLinks.of(0, List.of(child), null))
                            .build());
            assertThat(b.jobsFetch(SqliteTesting.fetch("w", 1, "q")).get(0).id())
                    .isEqualTo(queued);
            Job p = b.jobsFetch(SqliteTesting.fetch("w", 1, "p")).get(0);
            assertThat(p.id()).isEqualTo(parent);
            assertThat(b.jobGet(child).orElseThrow().state()).isEqualTo(JobState.BLOCKED);
            b.jobsComplete(List.of(new Completion(p.lease(), new Outcome.Succeeded("null"))));
            assertThat(b.jobGet(child).orElseThrow().state()).isEqualTo(JobState.QUEUED);
        }
        try (Connection c = SqliteTesting.raw(file)) {
            try (ResultSet rs = c.createStatement().executeQuery("PRAGMA user_version")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(SqliteSchema.VERSION);
            }
            try (ResultSet rs = c.createStatement()
                    .executeQuery(
                            "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'jobs_blocked_stuck'")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(1);
            }
        }
    }

    @Test
    void aVersion4FileGainsTheWaitTableAndItsBlockedJobsKeepTheirCounts() throws Exception {
        Path file = SqliteConformanceTest.freshFile();
        var clock = new ManualClock();
        String p1 = JobIds.next(), p2 = JobIds.next(), p3 = JobIds.next(), child = JobIds.next(), queued;
        try (SqliteBroker b = SqliteTesting.open(file, clock)) {
            b.jobsEnqueue(EnqueueRequest.of(List.of(
                    NewJob.builder(p1, "t")
                            .queue("p")
                            .links(JobLinks.of(0, List.of(child), null))
                            .build(),
                    NewJob.builder(p2, "t")
                            .queue("p")
                            .links(JobLinks.of(0, List.of(child), null))
                            .build(),
                    NewJob.builder(p3, "t")
                            .queue("p")
                            .links(JobLinks.of(0, List.of(child), null))
                            .build(),
                    NewJob.builder(child, "t")
                            .queue("c")
                            .links(JobLinks.of(3, List.of(), null))
                            .build())));
            queued = SqliteTesting.enqueue(b, "q");
            Job first = b.jobsFetch(SqliteTesting.fetch("w", 1, "p")).get(0);
            b.jobsComplete(List.of(new Completion(first.lease(), new Outcome.Succeeded("null"))));
        }
        try (Connection c = SqliteTesting.raw(file)) {
            // back to what version 4 wrote: the count left lives in the jobs row
            c.createStatement()
                    .execute(
                            "UPDATE jobs SET waits_for = (SELECT waits_for FROM job_waits WHERE job_id = jobs.id) WHERE state = 'BLOCKED'");
            dropWaits(c);
            c.createStatement().execute("PRAGMA user_version = 4");
        }
        try (SqliteBroker b = SqliteTesting.open(file, clock)) {
            assertThat(b.jobGet(child).orElseThrow().links().waitsFor()).isEqualTo(2);
            assertThat(b.jobGet(queued).orElseThrow().state()).isEqualTo(JobState.QUEUED);
            try (Connection c = SqliteTesting.raw(file);
                    ResultSet rs = c.createStatement().executeQuery("SELECT job_id, waits_for FROM job_waits")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo(child);
                assertThat(rs.getInt(2)).isEqualTo(2);
                assertThat(rs.next()).as("only BLOCKED jobs have a row").isFalse();
            }
            Job second = b.jobsFetch(SqliteTesting.fetch("w", 1, "p")).get(0);
            b.jobsComplete(List.of(new Completion(second.lease(), new Outcome.Succeeded("null"))));
            assertThat(b.jobGet(child).orElseThrow()).satisfies(j -> {
                assertThat(j.state()).isEqualTo(JobState.BLOCKED);
                assertThat(j.links().waitsFor()).isEqualTo(1);
            });
            Job third = b.jobsFetch(SqliteTesting.fetch("w", 1, "p")).get(0);
            b.jobsComplete(List.of(new Completion(third.lease(), new Outcome.Succeeded("null"))));
            assertThat(b.jobGet(child).orElseThrow().state()).isEqualTo(JobState.QUEUED);
            assertThat(b.jobGet(child).orElseThrow().links().waitsFor()).isZero();
        }
        try (Connection c = SqliteTesting.raw(file)) {
            try (ResultSet rs = c.createStatement().executeQuery("PRAGMA user_version")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(SqliteSchema.VERSION);
            }
            try (ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM job_waits")) {
                rs.next();
                assertThat(rs.getInt(1)).as("a released job's row is gone").isZero();
            }
        }
    }

    /** Back to the tables before version 5. */
    private static void dropWaits(Connection c) throws SQLException {
        for (String trigger : List.of("job_waits_insert", "job_waits_delete"))
            c.createStatement().execute("DROP TRIGGER " + trigger);
        c.createStatement().execute("DROP TABLE job_waits");
    }

    /** Back to the jobs table before version 4. */
    private static void dropLinks(Connection c) throws SQLException {
        dropWaits(c);
        c.createStatement().execute("DROP INDEX jobs_blocked_stuck");
        for (String column : List.of("waits_for", "dependents", "retain_with"))
            c.createStatement().execute("ALTER TABLE jobs DROP COLUMN " + column);
    }

    /** Back to the jobs table before version 3. */
    private static void dropResultTtl(Connection c) throws SQLException {
        c.createStatement().execute("DROP INDEX jobs_expiry");
        c.createStatement().execute("ALTER TABLE jobs DROP COLUMN result_ttl_ms");
    }
}
