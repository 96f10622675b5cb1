package dev.kyu.broker.rabbitmq;

import dev.kyu.spi.Broker;
import dev.kyu.spi.BrokerConfig;
import dev.kyu.spi.Brokers;
import dev.kyu.testkit.ScheduleConformanceSuite;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Periodic schedules on the RabbitMQ engine: separate brokers on one store and one prefix, as separate processes. */
class RabbitScheduleConformanceTest extends ScheduleConformanceSuite {
    @Override
    protected List<Broker> openConnections(int n) throws Exception {
        Path store = RabbitTesting.freshStore();
        String prefix = RabbitTesting.freshPrefix();
        var out = new ArrayList<Broker>();
        for (int i = 0; i < n; i++)
            out.add(new RabbitTesting.Cleaned(
                    Brokers.open(BrokerConfig.of(RabbitTesting.url(store, prefix))), store, prefix));
        return out;
    }
}
