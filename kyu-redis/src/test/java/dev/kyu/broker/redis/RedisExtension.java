package dev.kyu.broker.redis;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The Redis a test class runs against, started before its first test and stopped after its last:
 * {@code @RegisterExtension static final RedisExtension redis = RedisExtension.single();}.
 */
final class RedisExtension implements BeforeAllCallback, AfterAllCallback {
    /** What the extension starts: a single server or a Cluster, each emptied by {@link #flush()}. */
    interface Server extends AutoCloseable {
        String url();

        void flush();

        @Override
        void close(); // no checked exception: a fixture interrupted while stopping keeps the interrupt flag set instead
    }

    private interface Starter {
        Server start() throws Exception;
    }

    private final Starter starter;
    private Server server;

    private RedisExtension(Starter starter) {
        this.starter = starter;
    }

    /** A single server: the one {@code KYU_TEST_REDIS_URL} names, else a redis-server of the class's own. */
    static RedisExtension single() {
        return new RedisExtension(TestRedis::start);
    }

    /** A single server of the class's own, where Kyu connects as an ACL user confined to its prefix's keys. */
    static RedisExtension confinedUser() {
        return new RedisExtension(TestRedis::startWithConfinedUser);
    }

    /** A local three-node Cluster. */
    static RedisExtension cluster() {
        return new RedisExtension(TestCluster::start);
    }

    // @Nested classes inherit the extension and call it around themselves too: the server lives from the
    // outermost class's start to its end, shared by the classes nested in it.
    private int depth;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (depth++ > 0) return;
        server = starter.start();
        server.flush(); // a shared server (KYU_TEST_REDIS_URL) may hold an earlier class's keys
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (--depth > 0 || server == null) return;
        server.close();
        server = null;
    }

    String url() {
        return server.url();
    }

    /** Empties the server and answers its URL: each test starts on a clean database. */
    String freshUrl() {
        server.flush();
        return server.url();
    }
}
