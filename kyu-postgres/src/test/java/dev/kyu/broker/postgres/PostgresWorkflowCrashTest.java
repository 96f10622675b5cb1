package dev.kyu.broker.postgres;

import dev.kyu.testkit.WorkflowCrashScenario;
import org.junit.jupiter.api.BeforeEach;

/** The workflow crash test on PostgreSQL: a worker JVM killed mid-workflow, another finishes them; a fresh schema. */
class PostgresWorkflowCrashTest extends WorkflowCrashScenario {
    private String url;

    @BeforeEach
    void freshSchema() throws Exception {
        url = TestPostgres.freshUrl();
    }

    @Override
    protected String brokerUrl() {
        return url;
    }
}
