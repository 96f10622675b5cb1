package dev.kyu.broker.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kyu.KyuException;
import dev.kyu.job.JobIds;
import dev.kyu.spi.EnqueueResult;
import dev.kyu.spi.NewJob;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link RedisBrokerContract} on a single server. */
class RedisBrokerTest extends RedisBrokerContract {
    @RegisterExtension
    static final RedisExtension redis = RedisExtension.single();

    @Override
    String freshUrl() {
        return redis.freshUrl();
    }

    @Test
    void onASingleServerAnIdIsUniqueAcrossQueuesAndAStaleIndexEntryIsTakenOver() {
        var stored = job("q").build();
        enqueue(stored);
        var elsewhere = NewJob.builder(stored.id(), "t").queue("other").args("{}").build();
        assertThatThrownBy(() -> enqueue(job("other").build(), elsewhere))
                .isInstanceOf(KyuException.InvalidInput.class).hasMessageContaining(stored.id());
        assertThat(broker.jobGet(stored.id()).orElseThrow().queue()).isEqualTo("q");

        // The index names a queue whose job is gone: the id is free, and the new job takes the entry over.
        String orphan = JobIds.next();
        broker.link().sync().hset(broker.keys().jobQueue(), orphan, "gone");
        var reused = NewJob.builder(orphan, "t").queue("q").args("{}").build();
        assertThat(enqueue(reused, job("q").build())).extracting(EnqueueResult::created).containsExactly(true, true);
        assertThat(broker.jobGet(orphan).orElseThrow().queue()).isEqualTo("q");
        assertThat(broker.link().sync().hget(broker.keys().jobQueue(), orphan)).isEqualTo("q");
    }
}
