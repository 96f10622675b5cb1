package dev.kyu.broker.sqlite;

import dev.kyu.spi.Broker;
import dev.kyu.spi.BrokerConfig;
import dev.kyu.spi.Brokers;
import dev.kyu.testkit.ScheduleConformanceSuite;
import java.util.ArrayList;
import java.util.List;

/** Periodic schedules on SQLite: separate brokers (connections) on one database file, as separate processes would open it. */
class SqliteScheduleConformanceTest extends ScheduleConformanceSuite {
    @Override
    protected List<Broker> openConnections(int n) throws Exception {
        String url = "sqlite:" + SqliteConformanceTest.freshFile();
        var out = new ArrayList<Broker>();
        for (int i = 0; i < n; i++) out.add(Brokers.open(BrokerConfig.of(url)));
        return out;
    }
}
