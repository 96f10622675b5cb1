package dev.kyu.broker.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kyu.job.Job;
import dev.kyu.testkit.ManualClock;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Files written by older schemas (version 1: no fence, no progress; version 2: no result ttl) open, upgrade, and keep their jobs. */
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
        try (Connection c = SqliteTesting.raw(file); ResultSet rs = c.createStatement().executeQuery("PRAGMA user_version")) {
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
            dropResultTtl(c);
            c.createStatement().execute("PRAGMA user_version = 2");
        }
        try (SqliteBroker b = SqliteTesting.open(file, new ManualClock())) {
            assertThat(b.jobGet(id).orElseThrow().resultTtl()).isNull();
            var ttl = dev.kyu.spi.NewJob.builder(dev.kyu.job.JobIds.next(), "t").queue("q").resultTtl(Duration.ofMinutes(5)).build();
            String withTtl = SqliteTesting.enqueue(b, ttl);
            assertThat(b.jobGet(withTtl).orElseThrow().resultTtl()).isEqualTo(Duration.ofMinutes(5));
        }
        try (Connection c = SqliteTesting.raw(file); ResultSet rs = c.createStatement().executeQuery("PRAGMA user_version")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(SqliteSchema.VERSION);
        }
    }

    /** Back to the jobs table before version 3. */
    private static void dropResultTtl(Connection c) throws SQLException {
        c.createStatement().execute("DROP INDEX jobs_expiry");
        c.createStatement().execute("ALTER TABLE jobs DROP COLUMN result_ttl_ms");
    }
}
