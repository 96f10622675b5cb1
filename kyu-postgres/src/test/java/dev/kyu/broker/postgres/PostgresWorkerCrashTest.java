package dev.kyu.broker.postgres;

import dev.kyu.testkit.WorkerCrashScenario;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The crash test on PostgreSQL: a worker JVM killed mid-run, another finishes every job; a fresh schema. */
class PostgresWorkerCrashTest extends WorkerCrashScenario {
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
