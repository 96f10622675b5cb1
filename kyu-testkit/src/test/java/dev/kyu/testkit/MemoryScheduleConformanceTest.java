package dev.kyu.testkit;

import dev.kyu.spi.Broker;
import dev.kyu.spi.BrokerConfig;
import dev.kyu.spi.Brokers;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The schedule suite on the memory engine: separate brokers on one named store, on real broker time. */
class MemoryScheduleConformanceTest extends ScheduleConformanceSuite {
    @Override
    protected List<Broker> openConnections(int n) {
        String store = "schedules-" + UUID.randomUUID();
        var out = new ArrayList<Broker>();
        for (int i = 0; i < n; i++)
            out.add(Brokers.open(new BrokerConfig("memory:" + store, Clock.systemUTC(), Map.of())));
        return out;
    }
}
