package dev.kyu.broker.postgres;

import dev.kyu.testkit.FlowCrashScenario;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The flow crash test on PostgreSQL: a worker JVM killed while it holds a limit's slots; a fresh schema. */
class PostgresFlowCrashTest extends FlowCrashScenario {
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
