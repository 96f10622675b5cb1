package dev.kyu.broker.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kyu.job.Job;
import dev.kyu.job.JobIds;
import dev.kyu.job.JobState;
import dev.kyu.spi.BrokerConfig;
import dev.kyu.spi.Completion;
import dev.kyu.spi.EnqueueRequest;
import dev.kyu.spi.FetchRequest;
import dev.kyu.spi.NewJob;
import dev.kyu.spi.Outcome;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The broker finds its master through a Sentinel when the URL names one with {@code sentinel=MASTER}. */
class RedisSentinelTest {
    @Test
    void findsTheMasterThroughSentinel() throws Exception {
        try (var master = new RedisProcess(List.of("--appendonly", "yes")).start();
                var sentinel = RedisProcess.sentinel("kyumaster", master.port()).start();
                var broker = RedisBroker.open(
                        BrokerConfig.of("redis://127.0.0.1:" + sentinel.port() + "?sentinel=kyumaster"))) {
            assertThat(broker.isCluster()).isFalse();
            var j = NewJob.builder(JobIds.next(), "t").queue("q").build();
            broker.jobsEnqueue(EnqueueRequest.of(List.of(j)));
            Job r = broker.jobsFetch(
                            new FetchRequest("w", List.of("q"), 1, Duration.ofSeconds(30), Duration.ofSeconds(5)))
                    .get(0);
            assertThat(broker.jobsComplete(List.of(new Completion(r.lease(), new Outcome.Succeeded("1")))))
                    .containsExactly(true);
            assertThat(broker.jobGet(j.id()).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
        }
    }
}
