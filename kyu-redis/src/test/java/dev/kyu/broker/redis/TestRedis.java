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
    /** The ACL rules docs/brokers/redis.md gives for a user of Kyu's own: every key under the prefix, no dangerous commands but INFO. */
    static final List<String> CONFINED_USER_RULES =
            List.of("~kyu:*", "resetchannels", "&kyu:*", "+@all", "-@dangerous", "+info");

    private final String url;
    private final String adminUrl;
    private final RedisProcess process;

    private TestRedis(String url, String adminUrl, RedisProcess process) {
        this.url = url;
        this.adminUrl = adminUrl;
        this.process = process;
    }

    static TestRedis start() throws Exception {
        String env = System.getenv("KYU_TEST_REDIS_URL");
        if (env != null && !env.isBlank()) return new TestRedis(env.trim(), env.trim(), null);
        RedisProcess p = new RedisProcess(List.of("--appendonly", "yes", "--appendfsync", "everysec")).start();
        return new TestRedis(p.url(), p.url(), p);
    }

    /**
     * A server of the class's own that asks for a password, where Kyu connects as an ACL user confined by
     * {@link #CONFINED_USER_RULES}; the database is emptied as the default user.
     */
    static TestRedis startWithConfinedUser() throws Exception {
        var settings = new java.util.ArrayList<>(List.of(
                "--appendonly",
                "yes",
                "--appendfsync",
                "everysec",
                "--requirepass",
                "admin-pass",
                "--user",
                "kyu",
                "on",
                ">kyu-pass"));
        settings.addAll(CONFINED_USER_RULES);
        RedisProcess p = new RedisProcess(settings).start();
        return new TestRedis(
                "redis://kyu:kyu-pass@127.0.0.1:" + p.port(), "redis://:admin-pass@127.0.0.1:" + p.port(), p);
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
        var client = RedisClient.create(RedisURI.create(adminUrl));
        try (var c = client.connect()) {
            c.sync().flushdb();
        } finally {
            client.shutdown();
        }
    }

    @Override
    public void close() {
        if (process != null) process.close();
    }
}
