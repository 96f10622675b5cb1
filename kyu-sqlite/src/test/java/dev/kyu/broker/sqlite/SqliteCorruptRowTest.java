package dev.kyu.broker.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kyu.job.Job;
import dev.kyu.job.JobError;
import dev.kyu.job.JobState;
import dev.kyu.spi.JobQuery;
import dev.kyu.spi.PruneRequest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Garbage rows never stop fetch, queries or maintenance: they are quarantined in FAILED with their raw data kept. */
class SqliteCorruptRowTest extends SqliteFileFixture {
    @Test
    void fetchSkipsGarbageAndDeliversTheGoodJobs() throws Exception {
        String bad1 = CorruptRows.queued(file, "q");
        String good1 = SqliteTesting.enqueue(broker, "q");
        String bad2 = CorruptRows.noTask(file, "q");
        String good2 = SqliteTesting.enqueue(broker, "q");

        List<Job> got = broker.jobsFetch(SqliteTesting.fetch("w", 2, "q"));
        assertThat(got).extracting(Job::id).containsExactly(good1, good2);

        for (String id : List.of(bad1, bad2)) assertQuarantined(id);
        assertThat(broker.jobGet(bad1).orElseThrow().args()).isEqualTo("{not json at all");
        assertThat(broker.jobGet(bad1).orElseThrow().lastError().stackTrace())
                .contains("not a time")
                .contains("{oops");
    }

    @Test
    void queriesQuarantineInsteadOfThrowing() throws Exception {
        String weird = CorruptRows.unknownState(file, "q");
        String good = SqliteTesting.enqueue(broker, "q");
        assertThat(broker.queuesList()).singleElement().satisfies(q -> {
            assertThat(q.count(JobState.QUEUED)).isEqualTo(1);
            assertThat(q.count(JobState.FAILED)).isEqualTo(1);
        });
        assertQuarantined(weird);

        String bad = CorruptRows.queued(file, "q");
        List<Job> all = broker.jobsList(JobQuery.all(10));
        assertThat(all).extracting(Job::id).containsExactlyInAnyOrder(weird, good, bad);
        assertQuarantined(bad);
        assertThat(broker.jobsList(JobQuery.all(10).withState(JobState.QUEUED)))
                .extracting(Job::id)
                .containsExactly(good);
    }

    @Test
    void maintenanceQuarantinesRowsItCouldNeverMatch() throws Exception {
        String scheduled = CorruptRows.scheduledTextTime(file, "q");
        String running = CorruptRows.runningWithoutLease(file, "q");
        String good = SqliteTesting.enqueue(
                broker,
                dev.kyu.spi.NewJob.builder(dev.kyu.job.JobIds.next(), "t")
                        .queue("q")
                        .delay(Duration.ofSeconds(5))
                        .build());
        clock.advance(Duration.ofSeconds(10));
        assertThat(broker.jobsPromoteDue(100)).isEqualTo(1);
        assertQuarantined(scheduled);
        assertThat(broker.leasesRescueExpired(100).failed()).containsExactly(running);
        assertQuarantined(running);
        assertThat(broker.jobGet(running).orElseThrow().args()).isEqualTo("raw args");
        assertThat(broker.jobGet(good).orElseThrow().state()).isEqualTo(JobState.QUEUED);
        clock.advance(Duration.ofDays(30));
        assertThat(broker.jobsPrune(PruneRequest.defaults())).isEqualTo(2);
    }

    @Test
    void rowsWhoseIdNoLookupMatchesAreQuarantinedByRowidAndNeverRun() throws Exception {
        // A blob, text that is not UTF-8 (read back changed), an empty id, a foreign id, a 1 MiB id.
        for (String id : List.of(
                "X'00FF10'",
                "CAST(X'C328FF61' AS TEXT)",
                "''",
                "'not-a-uuid'",
                "replace(hex(zeroblob(524288)), '0', 'i')")) {
            CorruptRows.queuedWith(file, "q", "id", id);
        }
        String good = SqliteTesting.enqueue(broker, "q");

        assertThat(broker.jobsFetch(SqliteTesting.fetch("w", 10, "q")))
                .extracting(Job::id)
                .containsExactly(good);
        var counts = broker.queueCounts("q");
        assertThat(counts.get(JobState.RUNNING)).isEqualTo(1); // the good job only
        assertThat(counts.get(JobState.FAILED)).isEqualTo(5);
        assertThat(broker.jobsList(JobQuery.all(10).withState(JobState.FAILED)))
                .hasSize(5)
                .allSatisfy(j -> {
                    assertThat(j.lastError().type()).isEqualTo(JobError.CORRUPT);
                    assertThat(j.lastError().stackTrace()).startsWith("raw row: ");
                });
    }

    @Test
    void anAttemptOrFenceTheLeaseCannotCountFromIsQuarantinedNotRun() throws Exception {
        for (String[] bad : List.of(
                new String[] {"attempt", "'not a number'"},
                new String[] {"attempt", "CAST(X'C328' AS TEXT)"},
                new String[] {"attempt", "''"},
                new String[] {"attempt", "2147483647"},
                new String[] {"attempt", "replace(hex(zeroblob(524288)), '0', '9')"},
                new String[] {"fence", "'not a number'"},
                new String[] {"fence", Long.toString(Long.MAX_VALUE)})) {
            CorruptRows.queuedWith(file, "q", bad[0], bad[1]);
        }
        String good = SqliteTesting.enqueue(broker, "q");

        assertThat(broker.jobsFetch(SqliteTesting.fetch("w", 10, "q")))
                .extracting(Job::id)
                .containsExactly(good);
        assertThat(broker.queueCounts("q").get(JobState.FAILED)).isEqualTo(7);
        assertThat(broker.jobsList(JobQuery.all(10).withState(JobState.FAILED)))
                .allSatisfy(j -> assertThat(j.lastError().type()).isEqualTo(JobError.CORRUPT));
    }

    @Test
    void queuedRowsOfAQueueNamedInBytesThatAreNotUtf8AreSweptByRowid() throws Exception {
        CorruptRows.queuedWith(file, "q", "queue", "CAST(X'C328FF61' AS TEXT)");
        CorruptRows.queuedWith(file, "q", "queue", "X'00FF'");
        broker.jobsPrune(PruneRequest.defaults());
        assertThat(broker.jobsList(JobQuery.all(10))).hasSize(2).allSatisfy(j -> {
            assertThat(j.state()).isEqualTo(JobState.FAILED);
            assertThat(j.lastError().type()).isEqualTo(JobError.CORRUPT);
        });
    }

    private void assertQuarantined(String id) {
        Job j = broker.jobGet(id).orElseThrow();
        assertThat(j.state()).isEqualTo(JobState.FAILED);
        assertThat(j.lastError().type()).isEqualTo(JobError.CORRUPT);
        assertThat(j.lastError().message()).startsWith("undecodable job row");
        assertThat(j.finishedAt()).isEqualTo(clock.instant());
    }
}
