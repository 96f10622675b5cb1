package dev.kyu.broker.postgres;

import dev.kyu.spi.Broker;
import dev.kyu.testkit.WorkflowConformanceSuite;
import java.sql.Connection;
import java.time.Clock;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Workflows end to end on PostgreSQL, enqueued in the caller's transaction too; a fresh schema per test. */
class PostgresWorkflowConformanceTest extends WorkflowConformanceSuite {
    @RegisterExtension
    static final PostgresExtension pg = PostgresExtension.shared();

    @Override
    protected Broker openBroker(Clock clock) throws Exception {
        return pg.openFresh();
    }

    @Override
    protected Connection openTransaction() throws Exception {
        Connection c = pg.connect();
        c.setAutoCommit(false);
        return c;
    }
}
