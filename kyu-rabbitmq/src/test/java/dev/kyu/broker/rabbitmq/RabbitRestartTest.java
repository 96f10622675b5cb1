package dev.kyu.broker.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.kyu.Kyu;
import dev.kyu.client.JobHandle;
import dev.kyu.job.Job;
import dev.kyu.job.JobOptions;
import dev.kyu.job.JobState;
import dev.kyu.task.KyuTask;
import dev.kyu.task.Task;
import dev.kyu.testkit.RabbitNode;
import dev.kyu.worker.Worker;
import dev.kyu.worker.WorkerOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * RabbitMQ stopped, killed and started again under a running worker and a producer: the store keeps every
 * record, so enqueues go on succeeding while RabbitMQ is away, the worker claims from the store meanwhile and
 * from tokens again afterwards without being restarted, and every job runs exactly once. A node of its own,
 * since the test stops it; a fresh store file and prefix per test.
 */
class RabbitRestartTest {
    private static final String QUEUE = "r";
    private static final Duration LONG = Duration.ofSeconds(90);
    private static RabbitNode node;

    private boolean nodeDown;
    private String url;
    private String prefix;
    private final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
    private final List<AutoCloseable> open = new ArrayList<>();

    /** Jobs' args: a sequence number. */
    record N(int i) {}

    @BeforeAll
    static void startNode() {
        node = RabbitNode.startPrivate(Path.of("target", "rabbitmq", "restart-" + UUID.randomUUID()));
    }

    @AfterAll
    static void stopNode() {
        if (node != null) node.close();
    }

    @BeforeEach
    void freshStore() throws Exception {
        prefix = RabbitTesting.freshPrefix();
        url = RabbitTesting.url(node.url(), RabbitTesting.freshStore(), prefix);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) open.get(i).close();
        if (nodeDown) startRabbit();
        try (Connection c = rabbit()) {
            Channel ch = c.createChannel();
            ch.queueDelete(prefix + ".q." + QUEUE);
            ch.queueDelete(prefix + ".dead");
            ch.exchangeDelete(prefix + ".dead");
        }
    }

    // ---- a restart under load ----------------------------------------------------------------------

    @Test
    void everyJobRunsOnceAcrossAStopAndAKillOfRabbitMq() throws Exception {
        Kyu producerKyu = kyu();
        Kyu workerKyu = kyu();
        Worker worker = workerKyu
                .worker(WorkerOptions.builder()
                        .queues(QUEUE)
                        .concurrency(8)
                        .leaseDuration(Duration.ofSeconds(60)) // far longer than an outage: no rescue, no rerun
                        .build())
                .start();
        open.add(worker);
        var producer = new Producer(producerKyu);
        open.add(producer);

        producer.allow(500);
        await().atMost(LONG).until(() -> runs.size() >= 250);

        // An orderly stop while enqueues are in flight, more enqueues while it is down, then start.
        producer.allow(500);
        stopRabbit();
        int ranBeforeStopped = runs.size();
        producer.allow(300); // at least these run while RabbitMQ is stopped
        await("enqueues while RabbitMQ is stopped").atMost(LONG).until(() -> producer.enqueued() == 1300);
        await("the worker claims from the store while RabbitMQ is stopped")
                .atMost(LONG)
                .until(() -> runs.size() > ranBeforeStopped);
        startRabbit();
        producer.allow(300);
        await().atMost(LONG).until(() -> runs.size() >= 1600);

        // A SIGKILL of the node while enqueues are in flight, more while it is dead, then start.
        producer.allow(200);
        killRabbit();
        producer.allow(100);
        await("enqueues while RabbitMQ is dead").atMost(LONG).until(() -> producer.enqueued() == 1900);
        startRabbit();
        long processedBeforeLast = worker.processed();
        producer.allow(100);

        await("every job succeeded")
                .atMost(LONG)
                .untilAsserted(() -> assertThat(counts())
                        .containsEntry(JobState.SUCCEEDED, 2000L)
                        .containsEntry(JobState.QUEUED, 0L)
                        .containsEntry(JobState.RUNNING, 0L));
        assertThat(producer.refused)
                .as(() -> "no enqueue refused: the record is in the store; refused: " + producer.refused)
                .isEmpty();
        assertExactlyOnce(producerKyu, producer.ids);
        assertThat(worker.processed())
                .as("the same worker went on after the restarts")
                .isGreaterThan(processedBeforeLast);
        assertThat(worker.status().running()).isTrue();
        // Tokens minted for jobs the worker then claimed from the store are surplus: harmless, spent by the next
        // fetches that find nothing, so none piles up.
        await("surplus tokens spent").atMost(LONG).until(() -> tokensReady() == 0);
    }

    // ---- an enqueue while RabbitMQ is unreachable ---------------------------------------------------

    @Test
    void anEnqueueWhileRabbitMqIsDownIsStoredWarnedOnceAndRunsOnceItIsBack() throws Exception {
        Kyu kyu = kyu();
        // the engine's loggers: the broker's and its reconciler's
        var logger = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(RabbitBroker.class.getPackageName());
        var appender = new ListAppender<ILoggingEvent>();
        appender.start();
        logger.addAppender(appender);
        try {
            stopRabbit();
            var ids = new ArrayList<String>();
            for (int i = 0; i < 20; i++) ids.add(enqueue(kyu, List.of(new N(i))).get(0));
            ids.addAll(enqueue(kyu, List.of(new N(20), new N(21), new N(22))));
            for (String id : ids)
                assertThat(kyu.broker().jobGet(id))
                        .as("stored while RabbitMQ is down")
                        .get()
                        .extracting(Job::state)
                        .isEqualTo(JobState.QUEUED);
            List<String> warnings = lines(appender, RabbitBroker.class, Level.WARN);
            assertThat(warnings)
                    .as("one warning for the outage, not one per job")
                    .hasSize(1);
            assertThat(warnings.get(0)).contains("jobs are stored and the reconciler dispatches them");
            assertThat(lines(appender, Reconciler.class, Level.WARN))
                    .as("the reconciler's retries are told once")
                    .hasSize(1);

            startRabbit();
            await("the reconciler mints a token for every stored job")
                    .atMost(LONG)
                    .ignoreExceptions()
                    .until(() -> tokensReady() >= ids.size());
            Worker worker = kyu.worker(WorkerOptions.builder()
                            .queues(QUEUE)
                            .concurrency(4)
                            .leaseDuration(Duration.ofSeconds(60))
                            .build())
                    .start();
            open.add(worker);
            await().atMost(LONG).untilAsserted(() -> assertThat(counts()).containsEntry(JobState.SUCCEEDED, 23L));
            assertExactlyOnce(kyu, ids);
            assertThat(lines(appender, RabbitBroker.class, Level.WARN))
                    .as("no further warning once RabbitMQ is back")
                    .hasSize(1);
            assertThat(lines(appender, Reconciler.class, Level.WARN)).hasSize(1);
            assertThat(lines(appender, Reconciler.class, Level.INFO))
                    .as("its end told once")
                    .singleElement()
                    .asString()
                    .contains("RabbitMQ reachable again");
        } finally {
            logger.detachAppender(appender);
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------

    private static List<String> lines(ListAppender<ILoggingEvent> appender, Class<?> from, Level level) {
        return appender.list.stream()
                .filter(e -> e.getLoggerName().equals(from.getName()) && e.getLevel() == level)
                .map(ILoggingEvent::getFormattedMessage)
                .toList();
    }

    private final KyuTask<N, Integer> counted = Task.of("counted", N.class, (args, ctx) -> {
        runs.computeIfAbsent(ctx.jobId(), id -> new AtomicInteger()).incrementAndGet();
        return args.i();
    });

    private Kyu kyu() {
        Kyu kyu = Kyu.connect(url).register(counted);
        open.add(kyu);
        return kyu;
    }

    private List<String> enqueue(Kyu kyu, List<N> args) {
        return kyu.enqueueAll(counted, args, JobOptions.builder().queue(QUEUE).build()).stream()
                .map(JobHandle::id)
                .toList();
    }

    private Map<JobState, Long> counts() {
        for (AutoCloseable c : open) if (c instanceof Kyu k) return k.broker().queueCounts(QUEUE);
        throw new IllegalStateException("no Kyu open");
    }

    private void assertExactlyOnce(Kyu kyu, List<String> ids) {
        assertThat(new HashSet<>(ids)).as("ids are unique").hasSize(ids.size());
        assertThat(kyu.broker().queueCounts(QUEUE).values().stream()
                        .mapToLong(Long::longValue)
                        .sum())
                .as("no job lost, none added")
                .isEqualTo(ids.size());
        for (List<String> chunk : chunks(ids))
            for (Job j : kyu.broker().jobsGet(chunk)) {
                assertThat(j.state()).as(j.id()).isEqualTo(JobState.SUCCEEDED);
                assertThat(j.attempt()).as("attempts of " + j.id()).isEqualTo(1);
            }
        for (String id : ids)
            assertThat(runs.get(id)).as("runs of " + id).isNotNull().hasValue(1);
        assertThat(runs.keySet()).as("nothing else ran").hasSameSizeAs(ids);
    }

    private static List<List<String>> chunks(List<String> ids) {
        var out = new ArrayList<List<String>>();
        for (int i = 0; i < ids.size(); i += 500) out.add(ids.subList(i, Math.min(ids.size(), i + 500)));
        return out;
    }

    private long tokensReady() throws Exception {
        try (Connection c = rabbit()) {
            return c.createChannel().queueDeclarePassive(prefix + ".q." + QUEUE).getMessageCount();
        }
    }

    private static Connection rabbit() throws Exception {
        var f = new ConnectionFactory();
        f.setUri(node.url());
        return f.newConnection("kyu-test");
    }

    private void stopRabbit() {
        nodeDown = true;
        node.stop();
    }

    private void killRabbit() {
        nodeDown = true;
        node.kill();
    }

    private void startRabbit() {
        node.start();
        nodeDown = false;
    }

    /**
     * Enqueues in batches of 20, as many jobs as it has been allowed so far, each batch as soon as it may: the
     * test decides when jobs come, the producer never waits on the broker's health. Ids whose enqueue returned
     * are kept; an enqueue that throws is kept apart, with its error.
     */
    private final class Producer implements AutoCloseable {
        private static final int BATCH = 20;
        final List<String> ids = new CopyOnWriteArrayList<>();
        final List<Throwable> refused = new CopyOnWriteArrayList<>();
        private final Semaphore allowed = new Semaphore(0);
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread thread;
        private int next;

        Producer(Kyu kyu) {
            thread = Thread.ofPlatform().name("producer").start(() -> run(kyu));
        }

        void allow(int jobs) {
            allowed.release(jobs / BATCH);
        }

        int enqueued() {
            return ids.size() + refused.size() * BATCH;
        }

        private void run(Kyu kyu) {
            while (!stop.get()) {
                try {
                    if (!allowed.tryAcquire(100, TimeUnit.MILLISECONDS)) continue;
                } catch (InterruptedException e) {
                    return;
                }
                var batch = new ArrayList<N>();
                for (int i = 0; i < BATCH; i++) batch.add(new N(next++));
                try {
                    ids.addAll(enqueue(kyu, batch));
                } catch (RuntimeException e) {
                    refused.add(e);
                }
            }
        }

        @Override
        public void close() {
            stop.set(true);
            try {
                thread.join(Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
