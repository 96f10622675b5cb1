package dev.kyu.broker.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kyu.KyuException;
import dev.kyu.job.JobIds;
import dev.kyu.job.JobState;
import dev.kyu.spi.NewJob;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Another process holding the write lock: bounded retries, then a clear BrokerUnavailable; reads go on meanwhile. */
class SqliteBusyTest {
    @TempDir
    Path dir;

    @Test
    void aWriteLockHeldElsewhereEndsInBrokerUnavailableAndChangesNothing() throws Exception {
        Path file = dir.resolve("busy.db");
        try (SqliteBroker broker = SqliteTesting.open(file, Clock.systemUTC(), "busyTimeout=20")) {
            String before = SqliteTesting.enqueue(broker, "q");
            NewJob blocked = NewJob.builder(JobIds.next(), "t").queue("q").build();
            try (Connection other = SqliteTesting.raw(file)) {
                other.createStatement().execute("BEGIN IMMEDIATE");
                assertThatThrownBy(() -> SqliteTesting.enqueue(broker, blocked))
                        .isInstanceOf(KyuException.BrokerUnavailable.class)
                        .hasMessageContaining(file.toString())
                        .hasMessageContaining("enqueue")
                        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
                // WAL readers never wait for the writer.
                assertThat(broker.jobGet(before).orElseThrow().state()).isEqualTo(JobState.QUEUED);
                other.createStatement().execute("ROLLBACK");
            }
            assertThat(broker.jobGet(blocked.id())).isEmpty();
            SqliteTesting.enqueue(broker, blocked);
            assertThat(broker.jobGet(blocked.id())).isPresent();
        }
    }

    /**
     * A process frozen while it holds the write lock (SIGSTOP, a paused VM) looks like this to the others:
     * a connection that took the lock and does nothing. Every write then fails after about busyTimeout, not
     * after eight of them, with one line that names the file and the likely cause.
     */
    @Test
    @org.junit.jupiter.api.Timeout(
            value = 30,
            unit = java.util.concurrent.TimeUnit.SECONDS,
            threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
    void aLockHeldByAFrozenProcessFailsWritesWithinBusyTimeoutNamingTheFileAndTheCause() throws Exception {
        Path file = dir.resolve("frozen.db");
        try (SqliteBroker broker = SqliteTesting.open(file, Clock.systemUTC(), "busyTimeout=500")) {
            SqliteTesting.enqueue(broker, "q");
            try (Connection frozen = SqliteTesting.raw(file)) {
                frozen.createStatement().execute("BEGIN IMMEDIATE");
                long start = System.nanoTime();
                Throwable thrown =
                        org.assertj.core.api.Assertions.catchThrowable(() -> SqliteTesting.enqueue(broker, "q"));
                long ms = (System.nanoTime() - start) / 1_000_000;
                assertThat(thrown)
                        .isInstanceOf(KyuException.BrokerUnavailable.class)
                        .hasMessageStartingWith(
                                "sqlite broker " + file.toAbsolutePath().normalize()
                                        + ": cannot enqueue: another process held the file's write lock for ")
                        .hasMessageContaining("busyTimeout 500 ms")
                        .hasMessageContaining("stopped (SIGSTOP, a paused VM");
                assertThat(thrown.getMessage()).doesNotContain("\n");
                assertThat(ms).isGreaterThanOrEqualTo(450).isLessThan(2 * 500 + 1_000);
                frozen.createStatement().execute("ROLLBACK");
            }
        }
    }

    @Test
    void aFileWhoseSchemaIsCurrentOpensWhileAnotherProcessHoldsTheWriteLock() throws Exception {
        Path file = dir.resolve("held.db");
        String id;
        try (SqliteBroker broker = SqliteTesting.open(file, Clock.systemUTC())) {
            id = SqliteTesting.enqueue(broker, "q");
        }
        try (Connection other = SqliteTesting.raw(file)) {
            other.createStatement().execute("BEGIN IMMEDIATE");
            // What kyu inspect does: open and read, no write lock needed.
            try (SqliteBroker reader = SqliteTesting.open(file, Clock.systemUTC(), "busyTimeout=20")) {
                assertThat(reader.jobGet(id).orElseThrow().state()).isEqualTo(JobState.QUEUED);
            }
            other.createStatement().execute("ROLLBACK");
        }
    }

    @Test
    void aNewFileLockedElsewhereDuringItsSetUpIsUnavailableNotMisconfigured() throws Exception {
        Path file = dir.resolve("fresh.db");
        try (Connection other = SqliteTesting.raw(file);
                var st = other.createStatement()) {
            try (var mode = st.executeQuery("PRAGMA journal_mode = WAL")) {
                assertThat(mode.next()).isTrue();
            }
            st.execute("BEGIN IMMEDIATE");
            assertThatThrownBy(() -> SqliteTesting.open(file, Clock.systemUTC(), "busyTimeout=20"))
                    .isInstanceOf(KyuException.BrokerUnavailable.class)
                    .hasMessageContaining("is locked by another process")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
            st.execute("ROLLBACK");
        }
        try (SqliteBroker broker = SqliteTesting.open(file, Clock.systemUTC())) {
            assertThat(SqliteTesting.enqueue(broker, "q")).isNotNull();
        }
    }
}
