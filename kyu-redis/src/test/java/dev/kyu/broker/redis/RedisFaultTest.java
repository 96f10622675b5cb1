package dev.kyu.broker.redis;

import dev.kyu.testkit.faults.FaultFixture;
import dev.kyu.testkit.faults.FaultScenario;

/**
 * The fault suite on Redis: worker JVMs frozen and killed at random, the server killed and restarted on its
 * append-only file, the workers' network path blackholed, and garbage in every field and key Kyu uses.
 */
class RedisFaultTest extends FaultScenario {
    @Override
    protected FaultFixture openFixture() throws Exception {
        return RedisFaultFixture.start();
    }
}
