package dev.kyu.broker.redis;

import dev.kyu.spi.Broker;
import dev.kyu.spi.Brokers;
import dev.kyu.testkit.ScheduleConformanceSuite;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Periodic schedules on Redis: separate brokers (connections) on one flushed server. */
class RedisScheduleConformanceTest extends ScheduleConformanceSuite {
    @RegisterExtension
    static final RedisExtension redis = RedisExtension.single();

    @Override
    protected List<Broker> openConnections(int n) {
        String url = redis.freshUrl();
        var out = new ArrayList<Broker>();
        for (int i = 0; i < n; i++) out.add(Brokers.open(url));
        return out;
    }
}
