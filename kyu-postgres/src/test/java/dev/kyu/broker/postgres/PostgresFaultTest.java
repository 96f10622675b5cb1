package dev.kyu.broker.postgres;

import dev.kyu.testkit.faults.FaultFixture;
import dev.kyu.testkit.faults.FaultScenario;

/**
 * The fault suite on PostgreSQL: worker JVMs frozen and killed at random, the server stopped and started
 * again, the workers' network path blackholed, and garbage in every column of every table Kyu uses.
 */
class PostgresFaultTest extends FaultScenario {
    @Override
    protected FaultFixture openFixture() throws Exception {
        return PostgresFaultFixture.start();
    }
}
