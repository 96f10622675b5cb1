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
        assertThat(broker.jobGet(bad1).orElseThrow().lastError().stackTrace()).contains("not a time").contains("{oops");
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
        assertThat(broker.jobsList(JobQuery.all(10).withState(JobState.QUEUED))).extracting(Job::id).containsExactly(good);
    }

    @Test
    void maintenanceQuarantinesRowsItCouldNeverMatch() throws Exception {
        String scheduled = CorruptRows.scheduledTextTime(file, "q");
        String running = CorruptRows.runningWithoutLease(file, "q");
        String good = SqliteTesting.enqueue(broker, dev.kyu.spi.NewJob.builder(dev.kyu.job.JobIds.next(), "t")
                .queue("q").delay(Duration.ofSeconds(5)).build());
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

    private void assertQuarantined(String id) {
        Job j = broker.jobGet(id).orElseThrow();
        assertThat(j.state()).isEqualTo(JobState.FAILED);
        assertThat(j.lastError().type()).isEqualTo(JobError.CORRUPT);
        assertThat(j.lastError().message()).startsWith("undecodable job row");
        assertThat(j.finishedAt()).isEqualTo(clock.instant());
    }
}
