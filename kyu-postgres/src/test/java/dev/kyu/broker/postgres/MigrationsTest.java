package dev.kyu.broker.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kyu.KyuException;
import dev.kyu.job.JobIds;
import dev.kyu.spi.EnqueueRequest;
import dev.kyu.spi.NewJob;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Kyu migrates its own schema, safely when many processes start at once, and accepts one migrated by hand. */
class MigrationsTest {
    @RegisterExtension
    static final PostgresExtension pg = PostgresExtension.shared();

    @Test
    void manyBrokersOpeningAtOnceMigrateOnce() throws Exception {
        String schema = pg.freshSchema();
        String url = pg.baseUrl() + "?schema=" + schema + "&poolSize=2";
        int n = 8;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        var start = new CountDownLatch(1);
        var opened = new ArrayList<Future<PostgresBroker>>();
        try {
            for (int i = 0; i < n; i++) {
                opened.add(pool.submit(() -> {
                    start.await();
                    return pg.open(url);
                }));
            }
            start.countDown();
            var brokers = new ArrayList<PostgresBroker>();
            for (var f : opened) brokers.add(f.get());
            brokers.get(0)
                    .jobsEnqueue(EnqueueRequest.of(
                            List.of(NewJob.builder(JobIds.next(), "t").build())));
            assertThat(brokers.get(n - 1).jobsList(dev.kyu.spi.JobQuery.all(10)))
                    .hasSize(1);
            brokers.forEach(PostgresBroker::close);
            try (Connection c = pg.connect();
                    ResultSet rs = c.createStatement()
                            .executeQuery("SELECT count(*) FROM \"" + schema + "\".kyu_schema_version")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(Migrations.LATEST);
            }
        } finally {
            pool.shutdownNow();
            pg.dropSchema(schema);
        }
    }

    @Test
    void plainSqlFilesAppliedByAnotherToolAreAccepted() throws Exception {
        String schema = pg.freshSchema();
        try (Connection c = pg.connect()) {
            c.createStatement().execute("CREATE SCHEMA " + schema);
            c.createStatement().execute("SET search_path TO " + schema);
            for (String f : Migrations.FILES) c.createStatement().execute(Migrations.read(f));
        }
        try (PostgresBroker b = pg.open(pg.baseUrl() + "?schema=" + schema + "&migrate=false")) {
            assertThat(b.jobsList(dev.kyu.spi.JobQuery.all(1))).isEmpty();
        } finally {
            pg.dropSchema(schema);
        }
    }

    @Test
    void aSchemaOfTheVersionBeforeLinksUpgradesInPlaceAndKeepsItsJobs() throws Exception {
        String schema = pg.freshSchema();
        String id = JobIds.next();
        try (Connection c = pg.connect()) {
            c.createStatement().execute("CREATE SCHEMA " + schema);
            c.createStatement().execute("SET search_path TO " + schema);
            for (String f : Migrations.FILES.subList(0, 4)) c.createStatement().execute(Migrations.read(f));
            c.createStatement()
                    .execute("INSERT INTO kyu_jobs (id, task, queue, args, state, enqueued_at, scheduled_at) "
                            + "VALUES ('" + id + "', 't', 'old', '{}', 'QUEUED', now(), now())");
        }
        try (PostgresBroker b = pg.open(pg.baseUrl() + "?schema=" + schema)) {
            dev.kyu.job.Job old = b.jobGet(id).orElseThrow();
            assertThat(old.state()).isEqualTo(dev.kyu.job.JobState.QUEUED);
            assertThat(old.links()).isEqualTo(dev.kyu.job.JobLinks.NONE);
            String child = JobIds.next();
            b.jobsEnqueue(EnqueueRequest.of(List.of(
                    NewJob.builder(JobIds.next(), "t")
                            .links(dev.kyu.job.JobLinks.of(0, List.of(child), null))
                            .build(),
                    NewJob.builder(child, "t")
                            .links(dev.kyu.job.JobLinks.of(1, List.of(), null))
                            .build())));
            assertThat(b.jobGet(child).orElseThrow().state()).isEqualTo(dev.kyu.job.JobState.BLOCKED);
            try (Connection c = pg.connect();
                    ResultSet rs = c.createStatement()
                            .executeQuery("SELECT max(version) FROM \"" + schema + "\".kyu_schema_version")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(Migrations.LATEST);
            }
        } finally {
            pg.dropSchema(schema);
        }
    }

    @Test
    void migrateFalseOnAnEmptySchemaSaysWhatToDo() throws Exception {
        String schema = pg.freshSchema();
        assertThatThrownBy(() -> pg.open(pg.baseUrl() + "?schema=" + schema + "&migrate=false"))
                .isInstanceOf(KyuException.BrokerConfig.class)
                .hasMessageContaining("version 0")
                .hasMessageContaining("migrate=false");
    }
}
