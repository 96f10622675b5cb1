package dev.kyu.broker.sqlite;

import dev.kyu.testkit.faults.FaultFixture;
import dev.kyu.testkit.faults.FaultScenario;

/**
 * The fault suite on SQLite: worker JVMs sharing one file, frozen and killed at random, every process
 * holding the file killed at once (SQLite's restart), and garbage in every column of every table.
 */
class SqliteFaultTest extends FaultScenario {
    @Override
    protected FaultFixture openFixture() {
        return new SqliteFaultFixture(dir.resolve("faults.db"));
    }
}
