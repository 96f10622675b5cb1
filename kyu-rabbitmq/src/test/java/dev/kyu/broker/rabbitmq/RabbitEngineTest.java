package dev.kyu.broker.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.MessageProperties;
import dev.kyu.KyuException;
import dev.kyu.job.Job;
import dev.kyu.job.JobState;
import dev.kyu.spi.Broker;
import dev.kyu.spi.BrokerConfig;
import dev.kyu.spi.Brokers;
import dev.kyu.spi.EnqueueRequest;
import dev.kyu.spi.FetchRequest;
import dev.kyu.spi.NewJob;
import dev.kyu.testkit.RabbitNode;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the RabbitMQ engine adds to its store: tokens, their reconciler, prefetch, and one line per bad input. */
class RabbitEngineTest {
    private RabbitTesting.Cleaned broker;
    private Connection rabbit;
    private Channel ch;

    @BeforeEach
    void open() throws Exception {
        broker = RabbitTesting.open(Clock.systemUTC());
        rabbit = RabbitTesting.rabbit();
        ch = rabbit.createChannel();
    }

    @AfterEach
    void close() throws Exception {
        rabbit.close();
        broker.close();
    }

    private String tokenQueue(String queue) {
        return broker.prefix() + ".q." + queue;
    }

    private long readyTokens(String queue) throws Exception {
        return ch.queueDeclarePassive(tokenQueue(queue)).getMessageCount();
    }

    private List<String> enqueue(String queue, int n) {
        var jobs = new ArrayList<NewJob>();
        for (int i = 0; i < n; i++) jobs.add(RabbitTesting.job(queue).build());
        return broker.jobsEnqueue(EnqueueRequest.of(jobs)).stream()
                .map(r -> r.id())
                .toList();
    }

    private List<Job> fetch(String queue, int limit, Duration wait) throws InterruptedException {
        return broker.jobsFetch(new FetchRequest("w", List.of(queue), limit, Duration.ofMinutes(5), wait));
    }

    @Test
    void enqueuePublishesOneTokenPerReadyJobAndNoneForADelayedOne() throws Exception {
        enqueue("a", 3);
        broker.jobsEnqueue(EnqueueRequest.of(
                List.of(RabbitTesting.job("a").delay(Duration.ofHours(1)).build())));
        assertThat(readyTokens("a")).isEqualTo(3);
    }

    @Test
    void theReconcilerMintsTokensForJobsWrittenBehindTheEnginesBack() throws Exception {
        enqueue("a", 1);
        try (Broker store = Brokers.open("sqlite:" + broker.store())) {
            var jobs = new ArrayList<NewJob>();
            for (int i = 0; i < 4; i++) jobs.add(RabbitTesting.job("a").build());
            store.jobsEnqueue(EnqueueRequest.of(jobs));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> readyTokens("a") == 5);
        assertThat(fetch("a", 10, Duration.ZERO)).hasSize(5);
    }

    @Test
    void aLargeSurplusOfTokensIsTrimmedToTheJobsWaiting() throws Exception {
        List<String> ids = enqueue("a", 2);
        for (int i = 0; i < 300; i++)
            ch.basicPublish("", tokenQueue("a"), MessageProperties.MINIMAL_PERSISTENT_BASIC, new byte[] {'1'});
        await().atMost(Duration.ofSeconds(10)).until(() -> readyTokens("a") == 2);
        assertThat(fetch("a", 10, Duration.ZERO)).extracting(Job::id).containsExactlyInAnyOrderElementsOf(ids);
    }

    @Test
    void aPurgeOfTheQueueDropsItsTokens() throws Exception {
        enqueue("a", 5);
        assertThat(broker.queuePurge("a")).isEqualTo(5);
        assertThat(readyTokens("a")).isZero();
    }

    @Test
    void tokensAnOperatorPurgedAreMintedAgainAndTheJobsRun() throws Exception {
        List<String> ids = enqueue("a", 3);
        ch.queuePurge(tokenQueue("a"));
        assertThat(readyTokens("a")).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> readyTokens("a") == 3);
        assertThat(fetch("a", 10, Duration.ZERO)).extracting(Job::id).containsExactlyInAnyOrderElementsOf(ids);
    }

    @Test
    void aTokenQueueAnOperatorDeletedIsDeclaredAgainAndItsJobsRun() throws Exception {
        List<String> ids = enqueue("a", 2);
        ch.queueDelete(tokenQueue("a"));
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            try (Channel probe = rabbit.createChannel()) {
                return probe.queueDeclarePassive(tokenQueue("a")).getMessageCount() == 2;
            } catch (java.io.IOException e) {
                return false; // not declared again yet
            }
        });
        assertThat(fetch("a", 10, Duration.ZERO)).extracting(Job::id).containsExactlyInAnyOrderElementsOf(ids);
    }

    @Test
    void aSurplusTokenIsDroppedHarmlessly() throws Exception {
        String id = enqueue("a", 1).get(0);
        for (int i = 0; i < 3; i++)
            ch.basicPublish("", tokenQueue("a"), MessageProperties.MINIMAL_PERSISTENT_BASIC, new byte[] {'1'});
        List<Job> got = fetch("a", 5, Duration.ZERO);
        assertThat(got).extracting(Job::id).containsExactly(id);
        assertThat(fetch("a", 5, Duration.ZERO)).isEmpty();
        assertThat(broker.jobGet(id).orElseThrow().state()).isEqualTo(JobState.RUNNING);
    }

    @Test
    void aProcessHoldsNoMoreTokensThanItsPrefetchAndSpendsNoMoreThanItClaimed() throws Exception {
        enqueue("a", 10);
        assertThat(fetch("a", 3, Duration.ZERO)).hasSize(3);
        // its consumer's prefetch is the first fetch's room: 3 spent at most, 3 more held at most
        assertThat(readyTokens("a")).as("tokens left for others").isBetween(4L, 10L);
        broker.engine().close(); // the tokens it held unacked go back to the queue
        assertThat(readyTokens("a"))
                .as("no more tokens spent than jobs claimed")
                .isBetween(7L, 10L);
    }

    @Test
    void aBlockedFetchIsWokenByAnEnqueueOfAnotherBroker() throws Exception {
        var result = new java.util.concurrent.atomic.AtomicReference<List<Job>>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                result.set(fetch("a", 1, Duration.ofSeconds(20)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        await().atMost(Duration.ofSeconds(10))
                .until(() -> ch.queueDeclarePassive(tokenQueue("a")).getConsumerCount() == 1);
        long start = System.nanoTime();
        String id = enqueue("a", 1).get(0);
        t.join(Duration.ofSeconds(15));
        assertThat(result.get()).extracting(Job::id).containsExactly(id);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void aPausedQueueIsNotConsumedNorFetchedAndItsJobsRunOnResume() throws Exception {
        String first = enqueue("a", 1).get(0);
        assertThat(fetch("a", 1, Duration.ZERO)).extracting(Job::id).containsExactly(first);
        // a quorum queue reports its consumers a moment late
        await("a worker's consumer of the queue's tokens")
                .atMost(Duration.ofSeconds(10))
                .until(() -> ch.queueDeclarePassive(tokenQueue("a")).getConsumerCount() == 1);
        broker.queuePause("a", true);
        await("consumption stops with the pause")
                .atMost(Duration.ofSeconds(10))
                .until(() -> ch.queueDeclarePassive(tokenQueue("a")).getConsumerCount() == 0);
        String id = enqueue("a", 1).get(0);
        assertThat(fetch("a", 1, Duration.ofMillis(300))).isEmpty();
        assertThat(ch.queueDeclarePassive(tokenQueue("a")).getConsumerCount()).isZero();
        broker.queuePause("a", false);
        assertThat(fetch("a", 1, Duration.ofSeconds(5))).extracting(Job::id).containsExactly(id);
    }

    // ---- bad input: one line each -----------------------------------------------------------------

    private static String storeParam() throws Exception {
        return "?store=" + URLEncoder.encode("sqlite:" + RabbitTesting.freshStore(), StandardCharsets.UTF_8);
    }

    @Test
    void aWrongPasswordIsOneLineWithoutThePassword() throws Exception {
        String url = RabbitNode.shared().url().replace("guest:guest@", "guest:s3cret@") + storeParam();
        assertThatThrownBy(() -> Brokers.open(url))
                .isInstanceOf(KyuException.BrokerConfig.class)
                .hasMessageContaining("ACCESS_REFUSED")
                .hasMessageNotContaining("s3cret")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void aWrongVhostIsOneLine() throws Exception {
        String url = RabbitNode.shared().url().replace("/%2F", "/nosuchvhost") + storeParam();
        assertThatThrownBy(() -> Brokers.open(url))
                .isInstanceOf(KyuException.BrokerConfig.class)
                .hasMessageContaining("virtual host 'nosuchvhost'")
                .hasMessageNotContaining("guest:guest");
    }

    @Test
    void anUnreachableHostIsOneLine() throws Exception {
        int port;
        try (var s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String url = "amqp://guest:pw@127.0.0.1:" + port + "/%2F" + storeParam();
        assertThatThrownBy(() -> Brokers.open(url))
                .isInstanceOf(KyuException.BrokerUnavailable.class)
                .hasMessageContaining("cannot reach RabbitMQ")
                .hasMessageNotContaining(":pw@");
    }

    @Test
    void amqpsToAPlainPortFailsInOneLine() throws Exception {
        String url = RabbitNode.shared().url().replace("amqp://guest:guest@", "amqps://guest:pw@") + storeParam();
        assertThatThrownBy(() -> Brokers.open(url))
                .isInstanceOf(KyuException.BrokerConfig.class)
                .hasMessageStartingWith("amqp broker amqps://guest:***@")
                .hasMessageNotContaining(":pw@")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void aMissingStoreNamesWhatToAdd() {
        assertThatThrownBy(() -> Brokers.open(RabbitNode.shared().url()))
                .isInstanceOf(KyuException.BrokerConfig.class)
                .hasMessageStartingWith(
                        "amqp broker URL needs ?store=<sqlite:|postgresql://|redis:// URL>: the store keeps each job's record");
    }

    @Test
    void aMemoryStoreIsRefused() {
        assertThatThrownBy(() -> Brokers.open(RabbitNode.shared().url() + "?store=memory%3A"))
                .isInstanceOf(KyuException.BrokerConfig.class)
                .hasMessageContaining("not shared across processes");
    }

    @Test
    void aBadStoreIsRefusedByTheStoresOwnLine() {
        assertThatThrownBy(() -> Brokers.open(RabbitNode.shared().url() + "?store=nosuch%3Athing"))
                .isInstanceOf(KyuException.BrokerConfig.class)
                .hasMessageContaining("unknown broker URL scheme");
    }

    @Test
    void aQueueDeclaredElsewhereWithOtherArgumentsFailsTheEnqueueAndWritesNothing() throws Exception {
        ch.queueDeclare(tokenQueue("clash"), true, false, false, null); // a classic queue
        try {
            assertThatThrownBy(() -> enqueue("clash", 1))
                    .isInstanceOf(KyuException.InvalidInput.class)
                    .hasMessageContaining(tokenQueue("clash"))
                    .hasMessageContaining("declared with other arguments");
            assertThat(broker.queueCounts("clash").values()).containsOnly(0L);
            assertThat(enqueue("fine", 1)).as("other queues go on").hasSize(1);
        } finally {
            ch.queueDelete(tokenQueue("clash"));
        }
    }

    @Test
    void describeNamesBothWithoutThePassword() {
        assertThat(broker.describe())
                .contains("amqp://guest:***@", "store sqlite:")
                .doesNotContain("guest:guest");
        assertThat(broker.capabilities()).isEqualTo(Set.copyOf(broker.engine().capabilities()));
    }

    @Test
    void unknownOptionsAreRefused() throws Exception {
        String url = RabbitNode.shared().url() + storeParam() + "&colour=red";
        assertThatThrownBy(() -> Brokers.open(BrokerConfig.of(url)))
                .isInstanceOf(KyuException.BrokerConfig.class)
                .hasMessageContaining("unknown option 'colour'");
    }
}
