package dev.kyu.broker.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kyu.job.Job;
import dev.kyu.spi.EnqueueRequest;
import dev.kyu.spi.FetchRequest;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link RedisBrokerContract} on a local three-node Redis Cluster, where cross-slot commands are refused. */
class RedisClusterBrokerTest extends RedisBrokerContract {
    @RegisterExtension
    static final RedisExtension cluster = RedisExtension.cluster();

    @Override
    String freshUrl() {
        return cluster.freshUrl();
    }

    @Test
    void detectsTheClusterAndSpreadsQueuesOverNodes() throws Exception {
        assertThat(broker.isCluster()).isTrue();
        List<String> queues = IntStream.range(0, 12).mapToObj(i -> "queue-" + i).toList();
        broker.jobsEnqueue(EnqueueRequest.of(queues.stream().map(q -> job(q).build()).toList()));
        List<Job> got = broker.jobsFetch(new FetchRequest("w", queues, 100, Duration.ofSeconds(30), Duration.ZERO));
        assertThat(got).extracting(Job::queue).containsExactlyElementsOf(queues);
    }
}
