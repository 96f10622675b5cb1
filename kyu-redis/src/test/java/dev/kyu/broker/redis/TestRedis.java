package dev.kyu.broker.redis;

import dev.kyu.spi.BrokerConfig;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import java.util.List;

/**
 * The Redis a test class runs against: the server {@code KYU_TEST_REDIS_URL} names, else a redis-server the
 * class starts itself. {@link #flush()} empties the database between tests.
 */
final class TestRedis implements RedisExtension.Server {
    private final String url;
    private final RedisProcess process;

    private TestRedis(String url, RedisProcess process) {
        this.url = url;
        this.process = process;
    }

    static TestRedis start() throws Exception {
        String env = System.getenv("KYU_TEST_REDIS_URL");
        if (env != null && !env.isBlank()) return new TestRedis(env.trim(), null);
        RedisProcess p = new RedisProcess(List.of("--appendonly", "yes", "--appendfsync", "everysec")).start();
        return new TestRedis(p.url(), p);
    }

    @Override
    public String url() {
        return url;
    }

    RedisBroker open() {
        return RedisBroker.open(BrokerConfig.of(url));
    }

    @Override
    public void flush() {
        var client = RedisClient.create(RedisURI.create(url));
        try (var c = client.connect()) {
            c.sync().flushdb();
        } finally {
            client.shutdown();
        }
    }

    @Override
    public void close() throws Exception {
        if (process != null) process.close();
    }
}
