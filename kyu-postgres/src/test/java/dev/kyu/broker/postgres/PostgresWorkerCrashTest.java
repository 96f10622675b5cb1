package dev.kyu.broker.postgres;

import dev.kyu.testkit.WorkerCrashScenario;
import org.junit.jupiter.api.BeforeEach;

/** The crash test on PostgreSQL: a worker JVM killed mid-run, another finishes every job; a fresh schema. */
class PostgresWorkerCrashTest extends WorkerCrashScenario {
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
