package dev.kyu.broker.postgres;

import dev.kyu.testkit.WorkflowCrashScenario;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The workflow crash test on PostgreSQL: a worker JVM killed mid-workflow, another finishes; a fresh schema. */
class PostgresWorkflowCrashTest extends WorkflowCrashScenario {
    @RegisterExtension
    static final PostgresExtension pg = PostgresExtension.shared();

    private String url;

    @BeforeEach
    void freshSchema() throws Exception {
        url = pg.freshUrl();
    }

    @Override
    protected String brokerUrl() {
        return url;
    }
}
