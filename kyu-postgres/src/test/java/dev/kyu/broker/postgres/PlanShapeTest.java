package dev.kyu.broker.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kyu.job.JobIds;
import dev.kyu.spi.EnqueueRequest;
import dev.kyu.spi.JobQuery;
import dev.kyu.spi.NewJob;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The plans PostgreSQL keeps for the statements that pick a bounded batch under {@code SKIP LOCKED}. A
 * prepared statement runs on a generic plan once the server judges it no worse than the custom ones, and
 * a generic plan guesses that {@code LIMIT ?} keeps a tenth of the rows. Joined to its locking subquery,
 * the claim's generic plan hashed the subquery and scanned the whole table, and workers on it fell
 * seconds behind. Each statement here must find its rows through an index whatever the plan.
 */
class PlanShapeTest {
    @RegisterExtension
    static final PostgresExtension pg = PostgresExtension.shared();

    private PostgresBroker broker;

    @BeforeEach
    void open() throws Exception {
        broker = pg.openFresh();
        // A table the size at which the join's generic plan turned to a full scan: many queued jobs,
        // many delayed ones, many finished ones.
        List<NewJob> jobs = new ArrayList<>();
        for (int i = 0; i < 30_000; i++) {
            var b = NewJob.builder(JobIds.next(), "t").queue("big");
            if (i % 3 == 1) b.delay(Duration.ofHours(1));
            jobs.add(b.build());
            if (jobs.size() == 1_000) {
                broker.jobsEnqueue(EnqueueRequest.of(jobs));
                jobs.clear();
            }
        }
        try (Connection c = pg.connect();
                var st = c.createStatement()) {
            String t = "\"" + broker.schema() + "\".kyu_jobs";
            st.execute("UPDATE " + t + " SET state = 'SUCCEEDED', finished_at = now() - interval '1 day'"
                    + " WHERE state = 'QUEUED' AND id IN (SELECT id FROM " + t
                    + " WHERE state = 'QUEUED' ORDER BY id LIMIT 10000)");
            st.execute("ANALYZE " + t);
        }
    }

    @AfterEach
    void close() {
        broker.close();
        pg.dropSchema(broker.schema());
    }

    @Test
    void theClaimFindsItsRowsByIndexEvenOnAGenericPlan() throws Exception {
        assertThat(genericPlan(broker.claims.claimSql, "'w'", "30000", "'big'", "'big'", "50"))
                .doesNotContain("Seq Scan on kyu_jobs");
    }

    @Test
    void promotionAndPruningFindTheirRowsByIndexEvenOnAGenericPlan() throws Exception {
        assertThat(genericPlan(broker.sweeps.promoteSql.formatted(""), "100", "'kyu_x'"))
                .doesNotContain("Seq Scan on kyu_jobs");
        assertThat(genericPlan(broker.sweeps.pruneJobsSql, "'SUCCEEDED'", "1000", "100"))
                .doesNotContain("Seq Scan on kyu_jobs");
        assertThat(genericPlan(broker.sweeps.pruneOwnTtlSql, "100"))
                .doesNotContain("Seq Scan on kyu_jobs")
                .contains("kyu_jobs_expiry");
    }

    @Test
    void aCompletionFindsItsJobsAndTheirDependentsByIndexEvenOnAGenericPlan() throws Exception {
        String ids = "ARRAY['" + JobIds.next() + "']", queue = "ARRAY['big']", one = "ARRAY[1]", worker = "ARRAY['w']";
        assertThat(genericPlan(broker.completions.successSql, ids, queue, one, worker, "ARRAY['null']"))
                .doesNotContain("Seq Scan on kyu_jobs");
    }

    @Test
    void aCursorPageReadsThePrimaryKeyFromTheCursorOn() throws Exception {
        String cursor =
                broker.jobsList(JobQuery.all(100).withOffset(5_000)).get(0).id();
        var params = new ArrayList<String>();
        String sql = broker.queries.listSql(JobQuery.all(100).withAfter(cursor), params);
        assertThat(params).containsExactly(cursor);
        String plan = genericPlan(sql, "'" + cursor + "'", "100", "0");
        assertThat(plan)
                .doesNotContain("Seq Scan on kyu_jobs")
                .doesNotContain("Sort")
                .contains("Index Scan Backward using kyu_jobs_pkey")
                .contains("Index Cond: (id < ");
    }

    /** The plan PostgreSQL would keep for {@code sql} as a prepared statement, with these parameter values. */
    private String genericPlan(String sql, String... values) throws Exception {
        var numbered = new StringBuilder();
        int n = 0;
        for (char ch : sql.toCharArray()) {
            if (ch == '?') numbered.append('$').append(++n);
            else numbered.append(ch);
        }
        assertThat(n).as("parameters of the statement").isEqualTo(values.length);
        try (Connection c = pg.connect();
                var st = c.createStatement()) {
            st.execute("SET plan_cache_mode = force_generic_plan");
            st.execute("PREPARE p AS " + numbered);
            var plan = new StringBuilder();
            try (var rs = st.executeQuery("EXPLAIN EXECUTE p(" + String.join(", ", values) + ")")) {
                while (rs.next()) plan.append(rs.getString(1)).append('\n');
            }
            return plan.toString();
        }
    }
}
