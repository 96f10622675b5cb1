package dev.kyu.broker.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.kyu.KyuException;
import dev.kyu.job.Job;
import dev.kyu.job.JobIds;
import dev.kyu.job.JobLinks;
import dev.kyu.job.JobState;
import dev.kyu.job.UniqueScope;
import dev.kyu.spi.Completion;
import dev.kyu.spi.EnqueueRequest;
import dev.kyu.spi.EnqueueResult;
import dev.kyu.spi.FetchRequest;
import dev.kyu.spi.NewJob;
import dev.kyu.spi.Outcome;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
        broker.jobsEnqueue(
                EnqueueRequest.of(queues.stream().map(q -> job(q).build()).toList()));
        List<Job> got = broker.jobsFetch(new FetchRequest("w", queues, 100, Duration.ofSeconds(30), Duration.ZERO));
        assertThat(got).extracting(Job::queue).containsExactlyElementsOf(queues);
    }

    /** A workflow's shape over three queues: start (a) → middle (b) → end (c), linked as a workflow batch is. */
    private static List<NewJob> chain(String start, String middle, String end) {
        return List.of(
                NewJob.builder(start, "t")
                        .queue("a")
                        .args("{}")
                        .links(JobLinks.of(0, List.of(middle), null))
                        .build(),
                NewJob.builder(middle, "t")
                        .queue("b")
                        .args("{}")
                        .links(JobLinks.of(1, List.of(end), null))
                        .build(),
                NewJob.builder(end, "t")
                        .queue("c")
                        .args("{}")
                        .links(JobLinks.of(1, List.of(), null))
                        .build());
    }

    private void runOne(String queue, String id) throws Exception {
        List<Job> got = fetch("w", 1, queue);
        assertThat(got).extracting(Job::id).containsExactly(id);
        assertThat(broker.jobsComplete(List.of(new Completion(got.get(0).lease(), new Outcome.Succeeded("1")))))
                .containsExactly(true);
    }

    /**
     * Leaves a batch over several queues as a process that crashed right after its first script would: the
     * first job's part stored (the same script and fields as a batch's first part), the record of the whole
     * batch in that queue's pending hash, in the form {@link PendingEnqueues} reads, the other parts not
     * applied and the other queues named.
     */
    private void leaveAfterRecord(List<NewJob> batch) throws Exception {
        NewJob first = batch.get(0);
        assertThat(enqueue(first)).allSatisfy(r -> assertThat(r.created()).isTrue());
        String record = RedisJobCodec.JSON.writeValueAsString(
                batch.stream().map(RedisEnqueuer::enqueueArgs).toList());
        var sync = broker.link().sync();
        sync.sadd(
                broker.keys().queues(),
                batch.stream().map(NewJob::queue).distinct().toArray(String[]::new));
        sync.hset(broker.keys().queue(first.queue(), "pending"), first.id(), record);
    }

    private long stored(String queue, String state) {
        return broker.link().sync().zcard(broker.keys().stateIndex(queue, state));
    }

    @Test
    void aLinkedBatchOverSeveralQueuesIsStoredWhole() throws Exception {
        String start = JobIds.next(), middle = JobIds.next(), end = JobIds.next();
        assertThat(broker.jobsEnqueue(EnqueueRequest.of(chain(start, middle, end))))
                .allSatisfy(r -> assertThat(r.created()).isTrue());
        assertThat(broker.jobGet(middle).orElseThrow().state()).isEqualTo(JobState.BLOCKED);
        assertThat(broker.jobGet(end).orElseThrow().state()).isEqualTo(JobState.BLOCKED);
        assertThat(broker.link().sync().exists(broker.keys().queue("a", "pending")))
                .as("the batch record is removed")
                .isZero();
        runOne("a", start);
        runOne("b", middle);
        runOne("c", end);
        assertThat(broker.jobGet(end).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
    }

    @Test
    void aBatchLeftAfterItsRecordIsStoredWholeByMaintenanceOnce() throws Exception {
        String start = JobIds.next(), middle = JobIds.next(), end = JobIds.next();
        // The record holds the whole batch, durable, and is applied by the next sweep.
        leaveAfterRecord(chain(start, middle, end));
        assertThat(broker.link()
                        .sync()
                        .exists(broker.keys().job("b", middle), broker.keys().job("c", end)))
                .isZero();
        Map<String, String> record = broker.link().sync().hgetall(broker.keys().queue("a", "pending"));
        assertThat(record).containsOnlyKeys(start);
        // The first queue's part is live meanwhile: its job ends before its dependent is stored.
        runOne("a", start);
        broker.jobsPromoteDue(10);
        assertThat(broker.link().sync().exists(broker.keys().queue("a", "pending")))
                .isZero();
        assertThat(broker.jobGet(middle).orElseThrow().state())
                .as("released by the parent that ended first")
                .isEqualTo(JobState.QUEUED);
        assertThat(broker.jobGet(end).orElseThrow().state()).isEqualTo(JobState.BLOCKED);
        // Applied again (a crash before the record was removed): each job stays stored once, counted once.
        broker.link().sync().hset(broker.keys().queue("a", "pending"), record);
        broker.jobsPromoteDue(10);
        assertThat(stored("a", "SUCCEEDED")).isEqualTo(1);
        assertThat(stored("b", "QUEUED")).isEqualTo(1);
        assertThat(stored("c", "BLOCKED")).isEqualTo(1);
        assertThat(broker.jobGet(end).orElseThrow().links().waitsFor()).isEqualTo(1);
        runOne("b", middle);
        runOne("c", end);
        assertThat(stored("c", "SUCCEEDED")).isEqualTo(1);
    }

    @Test
    void aWrongTypedKeyInALaterQueueRefusesTheBatchWithNothingStored() {
        String start = JobIds.next(), middle = JobIds.next(), end = JobIds.next();
        String blocked = broker.keys().stateIndex("b", "BLOCKED");
        broker.link().sync().set(blocked, "foreign");
        assertThatThrownBy(() -> broker.jobsEnqueue(EnqueueRequest.of(chain(start, middle, end))))
                .isInstanceOf(KyuException.class)
                .hasMessageContaining("Redis key " + blocked + " holds a string, expected a sorted set")
                .hasMessageNotContaining("\n");
        var sync = broker.link().sync();
        assertThat(sync.exists(
                        broker.keys().job("a", start),
                        broker.keys().job("b", middle),
                        broker.keys().job("c", end)))
                .isZero();
        assertThat(sync.exists(broker.keys().queue("a", "pending"))).isZero();
        assertThat(stored("a", "QUEUED") + stored("c", "BLOCKED")).isZero();
        broker.jobsPromoteDue(10);
        assertThat(broker.jobGet(start)).isEmpty();
    }

    @Test
    void aTakenIdInALaterQueueRefusesTheBatchWithNothingStored() {
        String start = JobIds.next(), middle = JobIds.next(), end = JobIds.next();
        enqueue(NewJob.builder(middle, "t").queue("b").args("{}").build());
        assertThatThrownBy(() -> broker.jobsEnqueue(EnqueueRequest.of(chain(start, middle, end))))
                .isInstanceOf(KyuException.InvalidInput.class)
                .hasMessageContaining(middle);
        assertThat(broker.link()
                        .sync()
                        .exists(broker.keys().job("a", start), broker.keys().job("c", end)))
                .isZero();
        assertThat(broker.jobGet(middle).orElseThrow().links().isNone()).isTrue();
    }

    @Test
    void aUniqueKeyOfAPendingBatchStaysHeldUntilMaintenanceStoresItsJob() throws Exception {
        String start = JobIds.next(), end = JobIds.next();
        var batch = List.of(
                NewJob.builder(start, "t")
                        .queue("a")
                        .args("{}")
                        .links(JobLinks.of(0, List.of(end), null))
                        .build(),
                NewJob.builder(end, "t")
                        .queue("c")
                        .args("{}")
                        .unique("k", UniqueScope.ACTIVE, null)
                        .links(JobLinks.of(1, List.of(), null))
                        .build());
        leaveAfterRecord(batch);
        // The batch claimed the key before its record was written; the claim stays in flight until confirmed.
        broker.link()
                .sync()
                .set(
                        broker.keys().unique("k"),
                        String.join(
                                "\u001f",
                                end,
                                "c",
                                "ACTIVE",
                                Long.toString(broker.now().toEpochMilli())));
        assertThat(broker.jobGet(end)).isEmpty();
        NewJob rival = NewJob.builder(JobIds.next(), "t")
                .queue("c")
                .args("{}")
                .unique("k", UniqueScope.ACTIVE, null)
                .build();
        assertThat(enqueue(rival))
                .extracting(EnqueueResult::id, EnqueueResult::created)
                .containsExactly(tuple(end, false));
        broker.jobsPromoteDue(10);
        assertThat(broker.jobGet(end).orElseThrow().state()).isEqualTo(JobState.BLOCKED);
        assertThat(enqueue(rival))
                .extracting(EnqueueResult::id, EnqueueResult::created)
                .containsExactly(tuple(end, false));
        assertThat(stored("c", "QUEUED") + stored("c", "BLOCKED")).isEqualTo(1);
    }
}
