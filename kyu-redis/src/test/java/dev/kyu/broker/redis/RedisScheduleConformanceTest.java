package dev.kyu.broker.redis;

import dev.kyu.spi.Broker;
import dev.kyu.spi.Brokers;
import dev.kyu.testkit.ScheduleConformanceSuite;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Periodic schedules on Redis: separate brokers (connections) on one flushed server. */
class RedisScheduleConformanceTest extends ScheduleConformanceSuite {
    static TestRedis redis;

    @BeforeAll
    static void startServer() throws Exception {
        redis = TestRedis.start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        redis.close();
    }

    @Override
    protected List<Broker> openConnections(int n) {
        redis.flush();
        var out = new ArrayList<Broker>();
        for (int i = 0; i < n; i++) out.add(Brokers.open(redis.url()));
        return out;
    }
}
