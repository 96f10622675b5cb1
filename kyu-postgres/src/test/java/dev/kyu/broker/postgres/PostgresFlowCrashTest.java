package dev.kyu.broker.postgres;

import dev.kyu.testkit.FlowCrashScenario;
import org.junit.jupiter.api.BeforeEach;

/** The flow crash test on PostgreSQL: a worker JVM killed while it holds a limit's slots; a fresh schema. */
class PostgresFlowCrashTest extends FlowCrashScenario {
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
