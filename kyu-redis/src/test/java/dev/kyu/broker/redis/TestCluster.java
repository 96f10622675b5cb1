package dev.kyu.broker.redis;

import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * A local three-node Redis Cluster (three masters, the 16384 slots split between them), started from the
 * redis-server binary embedded-redis ships, for tests that must see cross-slot rules enforced.
 */
final class TestCluster implements RedisExtension.Server {
    private final List<RedisProcess> nodes = new ArrayList<>();

    static TestCluster start() throws Exception {
        var c = new TestCluster();
        try {
            for (int i = 0; i < 3; i++) {
                c.nodes.add(new RedisProcess(List.of(
                                "--cluster-enabled",
                                "yes",
                                "--cluster-config-file",
                                "nodes.conf",
                                "--cluster-node-timeout",
                                "5000",
                                "--appendonly",
                                "no"))
                        .start());
            }
            int per = 16384 / 3;
            for (int i = 0; i < 3; i++) {
                int from = i * per, to = i == 2 ? 16383 : (i + 1) * per - 1;
                int port = c.nodes.get(i).port();
                c.run(port, conn -> {
                    conn.clusterAddSlots(IntStream.rangeClosed(from, to).toArray());
                    if (port != c.nodes.get(0).port())
                        conn.clusterMeet("127.0.0.1", c.nodes.get(0).port());
                });
            }
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> c.nodes.stream().allMatch(n -> {
                        String[] info = new String[1];
                        c.run(n.port(), conn -> info[0] = conn.clusterInfo());
                        return info[0].contains("cluster_state:ok") && info[0].contains("cluster_known_nodes:3");
                    }));
            return c;
        } catch (Exception e) {
            c.close();
            throw e;
        }
    }

    private void run(
            int port, java.util.function.Consumer<io.lettuce.core.api.sync.RedisCommands<String, String>> action) {
        var client = RedisClient.create(RedisURI.create("127.0.0.1", port));
        try (var conn = client.connect()) {
            action.accept(conn.sync());
        } finally {
            client.shutdown();
        }
    }

    @Override
    public String url() {
        return nodes.get(0).url();
    }

    @Override
    public void flush() {
        for (RedisProcess n : nodes) run(n.port(), conn -> conn.flushall());
    }

    @Override
    public void close() {
        for (RedisProcess n : nodes) n.close();
    }
}
