package dev.kyu.broker.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kyu.job.Job;
import dev.kyu.testkit.ManualClock;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;

/** A file written by the version 1 schema (no fence, no progress) opens, upgrades, and keeps its jobs. */
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
}
