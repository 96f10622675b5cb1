package dev.kyu.testkit;

import dev.kyu.broker.memory.MemoryBroker;
import dev.kyu.broker.memory.MemoryCorruption;
import dev.kyu.spi.Broker;
import dev.kyu.spi.Capability;
import dev.kyu.spi.ForwardingBroker;
import java.time.Clock;
import java.util.Set;

/**
 * The suite's other time path, the one Redis and PostgreSQL take: the memory engine on the system clock,
 * declaring no {@link Capability#INJECTABLE_CLOCK}, so the suite waits out short real durations.
 */
class RealTimeMemoryConformanceTest extends BrokerConformanceSuite {
    @Override
    protected Broker openBroker(Clock ignored) {
        return new ServerTime(MemoryBroker.open(Clock.systemUTC()));
    }

    @Override
    protected String plantRawJob(Broker broker, RawJob job) throws Exception {
        return MemoryCorruption.plant(((ServerTime) broker).engine, job);
    }

    @Override
    protected String insertCorruptJob(Broker broker, String queue) {
        return MemoryCorruption.insert(((ServerTime) broker).engine, queue);
    }

    /** Hides the injectable clock: every verb goes straight to the engine. */
    private static final class ServerTime extends ForwardingBroker {
        final MemoryBroker engine;

        ServerTime(MemoryBroker engine) {
            super(engine);
            this.engine = engine;
        }

        @Override
        public Set<Capability> capabilities() {
            return Set.of();
        }
    }
}
