package dev.kyu.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kyu.Kyu;
import dev.kyu.KyuException;
import dev.kyu.alert.AlertChannel;
import dev.kyu.alert.AlertConfig;
import dev.kyu.alert.AlertMessage;
import dev.kyu.alert.Alerts;
import dev.kyu.alert.Rule;
import dev.kyu.client.JobHandle;
import dev.kyu.job.Backoff;
import dev.kyu.job.Job;
import dev.kyu.job.JobError;
import dev.kyu.job.JobOptions;
import dev.kyu.job.JobState;
import dev.kyu.maintenance.MaintenanceOptions;
import dev.kyu.spi.Broker;
import dev.kyu.spi.CancelResult;
import dev.kyu.spi.JobQuery;
import dev.kyu.spi.Outcome;
import dev.kyu.task.NonRetryableException;
import dev.kyu.task.Task;
import dev.kyu.task.TaskOptions;
import dev.kyu.worker.JobListener;
import dev.kyu.worker.MdcMiddleware;
import dev.kyu.worker.Worker;
import dev.kyu.worker.WorkerOptions;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/**
 * The real client and worker, end to end, on an engine: every worker behaviour of docs/delivery.md.
 * An engine runs it by subclassing with {@link #openBroker(Clock)}. Time is real here (short leases and
 * delays, waited for with Awaitility), so it runs unchanged on engines that judge time by their server.
 */
public abstract class WorkerConformanceSuite {
    private static final Duration WAIT = Duration.ofSeconds(20);

    /** A fresh, empty broker for each test; the suite closes it after each test. */
    protected abstract Broker openBroker(Clock clock) throws Exception;

    /** As {@link ConformanceSupport#plantRawJob}: writes a job straight into storage; null when the storage cannot hold it. */
    protected abstract String plantRawJob(Broker broker, RawJob job) throws Exception;

    protected Broker broker;
    protected Kyu kyu;
    private final List<Worker> workers = new ArrayList<>();

    public record Order(String id, int cents) {}

    public record Receipt(String orderId, int cents, String note) {}

    public record Gate(String name) {}

    /** Latches and counters shared between a test and the tasks it runs; keyed by name so tasks stay stateless records. */
    private final Map<String, CountDownLatch> latches = new ConcurrentHashMap<>();

    private final Map<String, AtomicInteger> counters = new ConcurrentHashMap<>();
    private final List<String> runOrder = new CopyOnWriteArrayList<>();

    @BeforeEach
    void openKyu() throws Exception {
        broker = openBroker(Clock.systemUTC());
        kyu = Kyu.builder()
                .broker(broker)
                .maintenance(MaintenanceOptions.DEFAULTS
                        .withPromoteInterval(Duration.ofMillis(50))
                        .withRescueInterval(Duration.ofMillis(200)))
                .build();
    }

    @AfterEach
    void closeAll() {
        latches.values().forEach(l -> {
            while (l.getCount() > 0) l.countDown();
        });
        workers.forEach(w -> w.stop(Duration.ofSeconds(2)));
        kyu.close();
        broker.close();
    }

    protected WorkerOptions.Builder options() {
        return WorkerOptions.builder()
                .concurrency(4)
                .leaseDuration(Duration.ofSeconds(3))
                .heartbeatInterval(Duration.ofMillis(100))
                .fetchWait(Duration.ofMillis(200))
                .shutdownGrace(Duration.ofSeconds(2));
    }

    protected Worker start(WorkerOptions options) {
        Worker w = kyu.worker(options).start();
        workers.add(w);
        return w;
    }

    private CountDownLatch latch(String name) {
        return latches.computeIfAbsent(name, n -> new CountDownLatch(1));
    }

    private AtomicInteger counter(String name) {
        return counters.computeIfAbsent(name, n -> new AtomicInteger());
    }

    private Job awaitState(String id, JobState state) {
        await().atMost(WAIT).until(() -> broker.jobGet(id).map(Job::state).orElse(null) == state);
        return broker.jobGet(id).orElseThrow();
    }

    // ---- running -------------------------------------------------------------------------------------

    @Test
    void typedTaskRunsAndItsResultComesBack() throws Exception {
        var charge = Task.of(
                "shop.charge",
                Order.class,
                Receipt.class,
                (o, ctx) -> new Receipt(o.id(), o.cents(), "attempt " + ctx.attempt()));
        kyu.register(charge);
        JobHandle<Receipt> h = kyu.enqueue(charge, new Order("o-1", 1250));
        assertThat(h.status()).isEqualTo(JobState.QUEUED);
        start(options().build());
        assertThat(h.await(WAIT)).isEqualTo(new Receipt("o-1", 1250, "attempt 1"));
        Job job = h.job();
        assertThat(job.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(job.attempt()).isEqualTo(1);
        assertThat(job.finishedAt()).isNotNull();
        assertThat(job.errors()).isEmpty();
    }

    @Test
    void batchOfJobsAllSucceed() {
        var count = Task.of("t.count", Order.class, (o, ctx) -> counter("batch").incrementAndGet());
        kyu.register(count);
        var args = IntStream.range(0, 300).mapToObj(i -> new Order("o" + i, i)).toList();
        List<JobHandle<Integer>> handles = kyu.enqueueAll(count, args, JobOptions.NONE);
        assertThat(handles).hasSize(300).extracting(JobHandle::id).doesNotHaveDuplicates();
        start(options().concurrency(16).build());
        await().atMost(WAIT).until(() -> broker.queueCounts("default").get(JobState.SUCCEEDED) == 300);
        assertThat(counter("batch").get()).isEqualTo(300);
    }

    @Test
    void concurrencyIsALimitAndFetchNeverTakesMoreThanFreeSlotsPlusPrefetch() {
        var running = new AtomicInteger();
        var peak = new AtomicInteger();
        var block = Task.of("t.block", Gate.class, (g, ctx) -> {
            peak.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                latch(g.name()).await();
            } finally {
                running.decrementAndGet();
            }
            return null;
        });
        kyu.register(block);
        kyu.enqueueAll(block, Collections.nCopies(12, new Gate("hold")), JobOptions.NONE);
        start(options().concurrency(3).prefetch(2).build());
        await().atMost(WAIT).until(() -> running.get() == 3);
        await().atMost(WAIT).until(() -> broker.queueCounts("default").get(JobState.RUNNING) == 5);
        // Leases stay at concurrency + prefetch while the slots are busy.
        assertThat(broker.queueCounts("default").get(JobState.RUNNING)).isEqualTo(5);
        assertThat(broker.queueCounts("default").get(JobState.QUEUED)).isEqualTo(7);
        latch("hold").countDown();
        await().atMost(WAIT).until(() -> broker.queueCounts("default").get(JobState.SUCCEEDED) == 12);
        assertThat(peak.get()).isEqualTo(3);
    }

    @Test
    void higherPriorityRunsFirstThenOldestFirst() {
        var record = Task.of("t.record", Gate.class, (g, ctx) -> runOrder.add(g.name()));
        kyu.register(record);
        kyu.enqueue(record, new Gate("low-1"), JobOptions.builder().priority(0).build());
        kyu.enqueue(record, new Gate("high-1"), JobOptions.builder().priority(9).build());
        kyu.enqueue(record, new Gate("low-2"), JobOptions.builder().priority(0).build());
        kyu.enqueue(record, new Gate("high-2"), JobOptions.builder().priority(9).build());
        start(options().concurrency(1).prefetch(0).build());
        await().atMost(WAIT).until(() -> runOrder.size() == 4);
        assertThat(runOrder).containsExactly("high-1", "high-2", "low-1", "low-2");
    }

    @Test
    void queuesAreReadInStrictOrder() {
        var record = Task.of("t.record", Gate.class, (g, ctx) -> runOrder.add(ctx.queue() + ":" + g.name()));
        kyu.register(record);
        kyu.enqueue(record, new Gate("1"), JobOptions.builder().queue("low").build());
        kyu.enqueue(record, new Gate("2"), JobOptions.builder().queue("high").build());
        kyu.enqueue(record, new Gate("3"), JobOptions.builder().queue("low").build());
        kyu.enqueue(record, new Gate("4"), JobOptions.builder().queue("high").build());
        start(options().queues("high", "low").concurrency(1).prefetch(0).build());
        await().atMost(WAIT).until(() -> runOrder.size() == 4);
        assertThat(runOrder).containsExactly("high:2", "high:4", "low:1", "low:3");
    }

    @Test
    void weightedQueuesServeEveryQueueInProportion() {
        var record = Task.of("t.record", Gate.class, (g, ctx) -> runOrder.add(ctx.queue()));
        kyu.register(record);
        kyu.enqueueAll(
                record,
                Collections.nCopies(300, new Gate("a")),
                JobOptions.builder().queue("heavy").build());
        kyu.enqueueAll(
                record,
                Collections.nCopies(300, new Gate("b")),
                JobOptions.builder().queue("light").build());
        start(options()
                .weighted(Map.of("heavy", 4, "light", 1))
                .concurrency(1)
                .prefetch(0)
                .build());
        await().atMost(WAIT).until(() -> runOrder.size() >= 200);
        var first = List.copyOf(runOrder).subList(0, 200); // copy first: workers are still appending
        long heavy = first.stream().filter("heavy"::equals).count();
        long light = first.stream().filter("light"::equals).count();
        assertThat(light).as("the light queue is not starved").isGreaterThan(0);
        assertThat(heavy).as("the heavy queue is read more often").isGreaterThan(light);
    }

    @Test
    void delayedJobWaitsForItsTime() {
        var record = Task.of("t.record", Gate.class, (g, ctx) -> runOrder.add(g.name()));
        kyu.register(record);
        start(options().build());
        var h = kyu.enqueue(
                record,
                new Gate("later"),
                JobOptions.builder().delay(Duration.ofMillis(700)).build());
        Job stored = h.job();
        assertThat(stored.state()).isEqualTo(JobState.SCHEDULED);
        Job done = awaitState(h.id(), JobState.SUCCEEDED);
        assertThat(done.startedAt()).isAfterOrEqualTo(stored.scheduledAt());
        assertThat(Duration.between(stored.enqueuedAt(), done.startedAt()))
                .isGreaterThanOrEqualTo(Duration.ofMillis(700));
    }

    // ---- failure -------------------------------------------------------------------------------------

    @Test
    void failedAttemptsAreRetriedWithBackoffUntilSuccess() {
        start(options().build());
        var h = kyu.enqueue(
                "kyu.fail",
                Map.of("message", "card declined", "times", 2),
                JobOptions.builder()
                        .maxAttempts(5)
                        .backoff(Backoff.fixed(Duration.ofMillis(20)))
                        .build());
        Job job = awaitState(h.id(), JobState.SUCCEEDED);
        assertThat(job.attempt()).isEqualTo(3);
        assertThat(job.errors()).hasSize(2);
        assertThat(job.errors()).extracting(JobError::attempt).containsExactly(1, 2);
        assertThat(job.errors().get(0).message()).isEqualTo("card declined");
        assertThat(job.errors().get(0).stackTrace()).contains("DeliberateFailure");
    }

    @Test
    void jobOutOfAttemptsIsDeadLetterAndCanBeRetriedByHand() {
        var flaky = Task.of("t.flaky", Gate.class, (g, ctx) -> {
            if (!latch("fixed").await(0, TimeUnit.MILLISECONDS)) throw new IllegalStateException("still broken");
            return "fixed";
        });
        kyu.register(flaky);
        start(options().build());
        var h = kyu.enqueue(
                flaky,
                new Gate("x"),
                JobOptions.builder()
                        .maxAttempts(2)
                        .backoff(Backoff.fixed(Duration.ofMillis(10)))
                        .build());
        Job dead = awaitState(h.id(), JobState.FAILED);
        assertThat(dead.attempt()).isEqualTo(2);
        assertThat(dead.errors())
                .hasSize(2)
                .allSatisfy(e -> assertThat(e.type()).isEqualTo(IllegalStateException.class.getName()));
        assertThat(dead.lastError().stackTrace()).contains("still broken");

        latch("fixed").countDown();
        assertThat(kyu.admin().retry(List.of(h.id()))).isEqualTo(1);
        Job retried = awaitState(h.id(), JobState.SUCCEEDED);
        assertThat(retried.errors()).as("history kept across a manual retry").hasSize(2);
    }

    @Test
    void onlyListedExceptionsAreRetried() {
        var picky = Task.of("t.picky", Gate.class, (g, ctx) -> {
                    counter("picky").incrementAndGet();
                    throw new IllegalArgumentException("bad order " + g.name());
                })
                .withOptions(TaskOptions.DEFAULTS.withRetryOn(IOException.class));
        kyu.register(picky);
        start(options().build());
        var h = kyu.enqueue(
                picky, new Gate("o-9"), JobOptions.builder().maxAttempts(5).build());
        Job dead = awaitState(h.id(), JobState.FAILED);
        assertThat(dead.attempt()).isEqualTo(1);
        assertThat(counter("picky").get()).isEqualTo(1);
        assertThat(dead.lastError().message()).isEqualTo("bad order o-9");
    }

    @Test
    void nonRetryableExceptionFailsAtOnce() {
        var t = Task.of("t.abort", Gate.class, (g, ctx) -> {
            throw new NonRetryableException("address does not exist");
        });
        kyu.register(t);
        start(options().build());
        var h = kyu.enqueue(
                t, new Gate("x"), JobOptions.builder().maxAttempts(5).build());
        assertThat(awaitState(h.id(), JobState.FAILED).attempt()).isEqualTo(1);
    }

    @Test
    void timeoutInterruptsTheJobAndCountsAsARetryableFailure() {
        var interrupted = new AtomicInteger();
        var slow = Task.of("t.slow", Gate.class, (g, ctx) -> {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                interrupted.incrementAndGet();
                throw e;
            }
            return null;
        });
        kyu.register(slow);
        start(options().build());
        var h = kyu.enqueue(
                slow,
                new Gate("x"),
                JobOptions.builder()
                        .timeout(Duration.ofMillis(200))
                        .maxAttempts(2)
                        .backoff(Backoff.fixed(Duration.ofMillis(10)))
                        .build());
        Job dead = awaitState(h.id(), JobState.FAILED);
        assertThat(dead.attempt()).isEqualTo(2);
        assertThat(dead.errors()).extracting(JobError::type).containsExactly(JobError.TIMEOUT, JobError.TIMEOUT);
        assertThat(interrupted.get()).isEqualTo(2);
    }

    @Test
    void argsThatDoNotBindFailWithAReadableReasonAndTheWorkerGoesOn() throws Exception {
        start(options().build());
        var bad = kyu.enqueueJson(
                "kyu.sleep",
                "{\"ms\": \"soon\"}",
                JobOptions.builder().maxAttempts(3).build());
        var good = kyu.enqueueJson("kyu.echo", "{\"ok\": true}", JobOptions.NONE);
        Job failed = awaitState(bad.id(), JobState.FAILED);
        assertThat(failed.attempt()).as("bad payloads are not retried").isEqualTo(1);
        assertThat(failed.lastError().type()).isEqualTo(JobError.BAD_PAYLOAD);
        assertThat(failed.lastError().message()).contains("SleepArgs").contains("field 'ms'");
        assertThat(failed.args()).as("raw args kept").isEqualTo("{\"ms\": \"soon\"}");
        assertThat(good.await(WAIT).get("ok").asBoolean()).isTrue();

        // Null args for a task that takes a record fail the same way, not once per attempt with a NullPointerException.
        var none = kyu.enqueueJson(
                "kyu.sleep", "null", JobOptions.builder().maxAttempts(3).build());
        Job nothing = awaitState(none.id(), JobState.FAILED);
        assertThat(nothing.attempt()).isEqualTo(1);
        assertThat(nothing.lastError().type()).isEqualTo(JobError.BAD_PAYLOAD);
        assertThat(nothing.lastError().message()).contains("are null, but task 'kyu.sleep' takes a SleepArgs");
    }

    @Test
    void aStoredJobWithoutArgsOrBreakingTheContractFailsOnceAndTheWorkerGoesOn() throws Exception {
        start(options().build());
        Instant now = broker.now();
        // No args at all (SQL NULL, a missing field), or, where the storage cannot hold that, no attempt allowed.
        String bad = plantRawJob(
                broker, RawJob.queued("default", now).withTask("kyu.echo").withArgs(null));
        if (bad == null)
            bad = plantRawJob(
                    broker, RawJob.queued("default", now).withTask("kyu.echo").withMaxAttempts(0));
        assertThat(bad).as("the engine stores one of the two rows").isNotNull();
        var good = kyu.enqueueJson("kyu.echo", "{\"ok\": true}", JobOptions.NONE);
        assertThat(good.await(WAIT).get("ok").asBoolean()).isTrue();
        Job failed = awaitState(bad, JobState.FAILED);
        assertThat(failed.lastError().type()).isIn(JobError.CORRUPT, JobError.BAD_PAYLOAD);
        assertThat(failed.lastError().message()).isNotBlank();
    }

    @Test
    void unknownTaskIsPutBackForOtherWorkersDuringTheGracePeriod() throws Exception {
        start(options()
                .unknownTaskGrace(Duration.ofHours(1))
                .unknownTaskDelay(Duration.ofMillis(100))
                .build());
        var h = kyu.enqueueJson("reports.monthly", "{}", JobOptions.NONE);
        // One snapshot, taken after a hand-back: the job was started and is waiting again. (Reading it twice
        // would race with the next offer, 100 ms later.)
        var handedBack = new java.util.concurrent.atomic.AtomicReference<Job>();
        await().atMost(WAIT).until(() -> {
            Job j = h.job();
            boolean back = j.startedAt() != null && (j.state() == JobState.SCHEDULED || j.state() == JobState.QUEUED);
            if (back) handedBack.set(j);
            return back;
        });
        Job back = handedBack.get();
        assertThat(back.attempt()).as("handing back spends no attempt").isEqualTo(0);
        // A worker that knows the task (the new deploy) takes it.
        var newKyu = Kyu.builder()
                .broker(broker)
                .build()
                .register(Task.of("reports.monthly", JsonNode.class, (a, ctx) -> "report ready"));
        Worker w = newKyu.worker(options().build()).start();
        workers.add(w);
        assertThat(awaitState(h.id(), JobState.SUCCEEDED).result()).isEqualTo("\"report ready\"");
    }

    @Test
    void unknownTaskFailsAfterTheGracePeriod() {
        start(options().unknownTaskGrace(Duration.ZERO).build());
        var h = kyu.enqueueJson("no.such.task", "{}", JobOptions.NONE);
        Job dead = awaitState(h.id(), JobState.FAILED);
        assertThat(dead.lastError().type()).isEqualTo(JobError.UNKNOWN_TASK);
        assertThat(dead.lastError().message()).contains("no.such.task");
    }

    // ---- control -------------------------------------------------------------------------------------

    @Test
    void cancelledWaitingJobNeverRuns() {
        var record = Task.of("t.record", Gate.class, (g, ctx) -> runOrder.add(g.name()));
        kyu.register(record);
        var h = kyu.enqueue(record, new Gate("never"), JobOptions.NONE);
        var other = kyu.enqueue(record, new Gate("other"), JobOptions.NONE);
        assertThat(h.cancel()).isEqualTo(CancelResult.CANCELLED);
        start(options().build());
        awaitState(other.id(), JobState.SUCCEEDED);
        assertThat(h.status()).isEqualTo(JobState.CANCELLED);
        assertThat(runOrder).containsExactly("other");
    }

    @Test
    void cancellingARunningJobInterruptsIt() {
        var sawInterrupt = new AtomicBoolean();
        var block = Task.of("t.block", Gate.class, (g, ctx) -> {
            latch(g.name() + "-started").countDown();
            try {
                latch(g.name()).await();
            } catch (InterruptedException e) {
                sawInterrupt.set(true);
                throw e;
            }
            return null;
        });
        kyu.register(block);
        start(options().build());
        var h = kyu.enqueue(block, new Gate("cancel-me"), JobOptions.NONE);
        await().atMost(WAIT).until(() -> latch("cancel-me-started").getCount() == 0);
        assertThat(h.cancel()).isEqualTo(CancelResult.CANCEL_REQUESTED);
        Job cancelled = awaitState(h.id(), JobState.CANCELLED);
        assertThat(sawInterrupt).isTrue();
        assertThat(cancelled.finishedAt()).isNotNull();
    }

    @Test
    void jobsRunOnVirtualThreadsOrOnAPlatformPoolWhenAsked() {
        var threads = new CopyOnWriteArrayList<String>();
        var where = Task.of("t.where", Gate.class, (g, ctx) -> {
            Thread t = Thread.currentThread();
            threads.add((t.isVirtual() ? "virtual " : "platform ") + t.getName());
            return null;
        });
        kyu.register(where);
        var virtual = start(options().build());
        var first = kyu.enqueue(where, new Gate("v"), JobOptions.NONE);
        awaitState(first.id(), JobState.SUCCEEDED);
        virtual.stop(Duration.ofSeconds(2));
        assertThat(threads).containsExactly("virtual kyu-job");

        threads.clear();
        var pool = start(options().concurrency(2).platformThreads(true).build());
        var ids = new ArrayList<String>();
        for (int i = 0; i < 4; i++)
            ids.add(kyu.enqueue(where, new Gate("p" + i), JobOptions.NONE).id());
        for (String id : ids) awaitState(id, JobState.SUCCEEDED);
        assertThat(threads).hasSize(4).allMatch(n -> n.startsWith("platform kyu-job-"));
    }

    @Test
    void gracefulShutdownLetsShortJobsFinishAndHandsLongOnesBackAtOnce() {
        var quick = Task.of("t.quick", Gate.class, (g, ctx) -> {
            latch("quick-started").countDown();
            latch("quick-go").await(5, TimeUnit.SECONDS);
            return "done";
        });
        var stubborn = Task.of("t.stubborn", Gate.class, (g, ctx) -> {
            latch("stubborn-started").countDown();
            Thread.sleep(60_000);
            return null;
        });
        kyu.register(quick, stubborn);
        var w = start(options()
                .concurrency(2)
                .prefetch(0)
                .leaseDuration(Duration.ofMinutes(5))
                .heartbeatInterval(Duration.ofSeconds(1))
                .build());
        var q = kyu.enqueue(quick, new Gate("q"), JobOptions.NONE);
        var s = kyu.enqueue(stubborn, new Gate("s"), JobOptions.NONE);
        await().atMost(WAIT)
                .until(() -> latch("quick-started").getCount() == 0
                        && latch("stubborn-started").getCount() == 0);
        Thread releaser = Thread.ofVirtual().start(() -> {
            await().atMost(WAIT).until(() -> broker.jobGet(q.id()).orElseThrow().state() == JobState.RUNNING);
            latch("quick-go").countDown();
        });
        w.stop(Duration.ofMillis(700));
        assertThat(q.status()).isEqualTo(JobState.SUCCEEDED);
        Job back = s.job();
        assertThat(back.state())
                .as("handed back at once, not after the 5 minute lease")
                .isEqualTo(JobState.QUEUED);
        assertThat(back.attempt()).as("a hand-back spends no attempt").isEqualTo(0);
        assertThat(releaser).isNotNull();
    }

    @Test
    void pausedQueueIsNotWorkedUntilResumed() {
        var record = Task.of("t.record", Gate.class, (g, ctx) -> runOrder.add(g.name()));
        kyu.register(record);
        kyu.admin().pause("default");
        var h = kyu.enqueue(record, new Gate("held"), JobOptions.NONE);
        var other = kyu.enqueue(
                record,
                new Gate("elsewhere"),
                JobOptions.builder().queue("other").build());
        start(options().queues("default", "other").build());
        awaitState(other.id(), JobState.SUCCEEDED);
        assertThat(h.status()).isEqualTo(JobState.QUEUED);
        kyu.admin().resume("default");
        awaitState(h.id(), JobState.SUCCEEDED);
    }

    // ---- the client ----------------------------------------------------------------------------------

    @Test
    void uniqueKeyMakesEnqueueIdempotent() {
        var first = kyu.enqueueJson(
                "kyu.noop", "{}", JobOptions.builder().unique("invoice-42").build());
        var second = kyu.enqueueJson(
                "kyu.noop", "{}", JobOptions.builder().unique("invoice-42").build());
        assertThat(first.created()).isTrue();
        assertThat(second.created()).isFalse();
        assertThat(second.id()).isEqualTo(first.id());
        assertThat(broker.jobsList(JobQuery.all(10))).hasSize(1);
    }

    @Test
    void oversizedPayloadIsRefusedAndNothingIsStored() {
        var small = Kyu.builder().broker(broker).maxPayloadBytes(1024).build();
        String big = "{\"blob\": \"" + "x".repeat(2000) + "\"}";
        assertThatThrownBy(() -> small.enqueueJson("kyu.echo", big, JobOptions.NONE))
                .isInstanceOf(KyuException.PayloadTooLarge.class)
                .hasMessageContaining("over the limit of 1.0 KiB");
        assertThat(broker.jobsList(JobQuery.all(10))).isEmpty();
    }

    @Test
    void malformedJsonArgsAreRefusedAtEnqueue() {
        assertThatThrownBy(() -> kyu.enqueueJson("kyu.echo", "{\"a\": ", JobOptions.NONE))
                .isInstanceOf(KyuException.InvalidInput.class)
                .hasMessageStartingWith("args for task 'kyu.echo' are not valid JSON");
        assertThat(broker.jobsList(JobQuery.all(10))).isEmpty();
    }

    @Test
    void middlewarePutsTheJobIntoTheLoggingContextAndListenersHearOutcomes() throws Exception {
        var outcomes = new CopyOnWriteArrayList<String>();
        JobListener listener = (job, outcome, runTime) ->
                outcomes.add(job.task() + ":" + outcome.getClass().getSimpleName());
        var withListener = Kyu.builder().broker(broker).listener(listener).build();
        var mdc = Task.of(
                "t.mdc",
                Gate.class,
                String.class,
                (g, ctx) -> MDC.get(MdcMiddleware.JOB_ID) + "/" + MDC.get(MdcMiddleware.ATTEMPT));
        withListener.register(mdc);
        Worker w = withListener.worker(options().build()).start();
        workers.add(w);
        var h = withListener.enqueue(mdc, new Gate("x"));
        assertThat(h.await(WAIT)).isEqualTo(h.id() + "/1");
        await().atMost(WAIT).until(() -> outcomes.contains("t.mdc:Succeeded"));
        assertThat(Outcome.Succeeded.class.getSimpleName()).isEqualTo("Succeeded");
    }

    // ---- what a running task can do: progress, hard time limits, versioned arguments ----------------

    public record FullName(String first, String last) {}

    @Test
    void progressIsStoredAtABoundedRateVisibleWhileRunningAndKeptAfterTheJobEnds() throws Exception {
        var progressWrites = new AtomicInteger();
        Broker counting = (Broker) java.lang.reflect.Proxy.newProxyInstance(
                Broker.class.getClassLoader(), new Class<?>[] {Broker.class}, (proxy, method, args) -> {
                    if (method.getName().equals("leasesExtend")
                            && !((dev.kyu.spi.LeaseExtension) args[0])
                                    .progress()
                                    .isEmpty()) {
                        progressWrites.incrementAndGet();
                    }
                    try {
                        return method.invoke(broker, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        int reports = 200_000;
        var task = Task.of("t.progress", Gate.class, (g, ctx) -> {
            for (int i = 1; i <= reports; i++) ctx.progress(0.5 * i / reports, "step " + i + " of " + reports);
            latch("progress.go").await();
            ctx.progress(1.0, "done");
            return null;
        });
        Kyu counted = Kyu.builder().broker(counting).register(task).build();
        var h = counted.enqueue(task, new Gate("p"));
        workers.add(counted.worker(options().build()).start());

        await().atMost(WAIT)
                .until(() -> h.progress().isPresent() && h.progress().get().fraction() == 0.5);
        assertThat(h.progress().orElseThrow()).isEqualTo(new dev.kyu.job.Progress(0.5, "step 200000 of 200000"));
        assertThat(h.status()).isEqualTo(JobState.RUNNING);
        latch("progress.go").countDown();
        Job done = awaitState(h.id(), JobState.SUCCEEDED);
        assertThat(done.progress()).isEqualTo(new dev.kyu.job.Progress(1.0, "done"));
        // 200,001 reports, coalesced to at most one write per heartbeat plus the final one
        assertThat(progressWrites.get()).isBetween(2, 100);
    }

    @Test
    void progressOutside0To1OrNaNFailsTheTaskCallAndTheWorkerGoesOn() {
        var task = Task.of("t.badprogress", Gate.class, (g, ctx) -> {
            ctx.progress(Double.parseDouble(g.name()), "bad");
            return "unreachable";
        });
        var ok = Task.of("t.ok", Gate.class, (g, ctx) -> {
            ctx.progress(0.0);
            ctx.progress(1.0, "all");
            return "fine";
        });
        kyu.register(task, ok);
        start(options().build());
        for (String bad : List.of("1.5", "-0.1", "NaN")) {
            Job dead = awaitState(kyu.enqueue(task, new Gate(bad)).id(), JobState.FAILED);
            assertThat(dead.lastError().type()).isEqualTo(IllegalArgumentException.class.getName());
            assertThat(dead.lastError().message()).contains("progress must be a number from 0 to 1");
            assertThat(dead.progress()).isNull();
        }
        var good = kyu.enqueue(ok, new Gate("g"));
        Job done = awaitState(good.id(), JobState.SUCCEEDED);
        assertThat(done.progress()).isEqualTo(new dev.kyu.job.Progress(1.0, "all"));
    }

    @Test
    void aTaskIgnoringItsTimeoutIsFailedAsTimedOutAndItsSlotGoesToTheNextJob() {
        var spinning = new AtomicBoolean(true);
        var returned = new AtomicBoolean();
        var spin = Task.of("t.spin", Gate.class, (g, ctx) -> {
            while (spinning.get()) Thread.onSpinWait(); // deaf to interrupts, like a stuck native call
            returned.set(true);
            return "late";
        });
        var quick = Task.of("t.quick", Gate.class, (g, ctx) -> "ran");
        kyu.register(spin, quick);
        // one slot and no prefetch: the next job can only run in the slot the runaway held
        Worker w = start(options()
                .concurrency(1)
                .prefetch(0)
                .platformThreads(true)
                .hardTimeoutGrace(Duration.ofMillis(300))
                .build());
        try {
            var stuck = kyu.enqueue(
                    spin,
                    new Gate("s"),
                    JobOptions.builder()
                            .timeout(Duration.ofMillis(200))
                            .maxAttempts(1)
                            .build());
            var next = kyu.enqueue(quick, new Gate("q"));
            Job dead = awaitState(stuck.id(), JobState.FAILED);
            assertThat(dead.lastError().type()).isEqualTo(JobError.TIMEOUT);
            assertThat(dead.lastError().message()).contains("abandoned");
            assertThat(awaitState(next.id(), JobState.SUCCEEDED).result()).isEqualTo("\"ran\"");
            assertThat(w.abandoned()).isEqualTo(1);
            assertThat(returned).isFalse(); // the slot was freed while the runaway still spun
        } finally {
            spinning.set(false);
        }
        await().atMost(WAIT).untilTrue(returned);
        Job after = broker.jobsList(new JobQuery(JobState.FAILED, null, "t.spin", null, 10, 0))
                .get(0);
        assertThat(after.result()).isNull(); // its late result does not count
    }

    @Test
    void theIsolatedModeKillsAChildOnTimeoutAndTheNextJobRuns() {
        kyu.register(new IsolatedTestTasks.Spin(), new IsolatedTestTasks.Divide(), new IsolatedTestTasks.CrashOnce());
        // one slot, one child: every job after the spin can only run in the child that replaced the killed one
        Worker w = start(options()
                .concurrency(1)
                .prefetch(0)
                .isolated("iso.spin", "iso.divide", "iso.crash-once")
                .isolatedChildren(1)
                .hardTimeoutGrace(Duration.ofMinutes(5))
                .build());
        var stuck = kyu.enqueueJson(
                "iso.spin",
                "{}",
                JobOptions.builder()
                        .timeout(Duration.ofSeconds(2))
                        .maxAttempts(1)
                        .build());
        Job dead = awaitState(stuck.id(), JobState.FAILED);
        assertThat(dead.lastError().type()).isEqualTo(JobError.TIMEOUT);
        assertThat(dead.lastError().message()).doesNotContain("abandoned"); // killed, not left running
        assertThat(w.isolatedChildrenKilled()).isEqualTo(1);
        assertThat(w.abandoned()).isZero();

        // a cancel kills the child as well, once the task has said (through the relayed progress) that it spins
        var endless = kyu.enqueueJson("iso.spin", "{}", JobOptions.NONE);
        await().atMost(WAIT)
                .until(() -> broker.jobGet(endless.id()).map(Job::progress).orElse(null) != null);
        assertThat(endless.cancel()).isEqualTo(CancelResult.CANCEL_REQUESTED);
        awaitState(endless.id(), JobState.CANCELLED);
        assertThat(w.isolatedChildrenKilled()).isEqualTo(2);

        var next = kyu.enqueueJson("iso.divide", "{\"dividend\": 84, \"divisor\": 2}", JobOptions.NONE);
        Job done = awaitState(next.id(), JobState.SUCCEEDED);
        assertThat(done.result())
                .startsWith("\"42 from pid ")
                .doesNotContain("pid " + ProcessHandle.current().pid() + "\"");
        assertThat(done.progress()).isEqualTo(new dev.kyu.job.Progress(1.0, "divided"));

        var byZero = kyu.enqueueJson(
                "iso.divide",
                "{\"dividend\": 1, \"divisor\": 0}",
                JobOptions.builder().maxAttempts(1).build());
        Job failed = awaitState(byZero.id(), JobState.FAILED);
        assertThat(failed.lastError().type()).isEqualTo("java.lang.ArithmeticException");
        assertThat(failed.lastError().message()).isEqualTo("/ by zero");
        assertThat(failed.lastError().stackTrace()).contains("IsolatedTestTasks$Divide.run");

        var crash = kyu.enqueueJson(
                "iso.crash-once",
                "{}",
                JobOptions.builder()
                        .maxAttempts(2)
                        .backoff(Backoff.fixed(Duration.ofMillis(10)))
                        .build());
        Job survived = awaitState(crash.id(), JobState.SUCCEEDED);
        assertThat(survived.attempt()).isEqualTo(2);
        assertThat(survived.result()).isEqualTo("\"survived attempt 2\"");
        assertThat(survived.errors()).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(JobError.WORKER_LOST);
            assertThat(e.message()).contains("exited with code 7");
        });
        assertThat(w.isolatedChildrenStarted())
                .isEqualTo(4); // the first, a replacement for each spin and for the crash
    }

    @Test
    void anIsolatedTaskBuiltFromALambdaIsRefusedWhenTheWorkerIsMade() {
        kyu.register(Task.of("t.lambda", Gate.class, (g, ctx) -> "x"));
        assertThatThrownBy(() -> kyu.worker(options().isolated("t.lambda").build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("t.lambda")
                .hasMessageContaining("Task.of");
        assertThatThrownBy(() -> kyu.worker(options().isolated("t.nowhere").build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'t.nowhere' is not registered");
    }

    @Test
    void aJobEnqueuedAsVersion1RunsOnAVersion2TaskThroughItsUpcaster() {
        // enqueued before this process knew the new task: unversioned, so version 1 ({"name": "First Last"})
        var old = kyu.enqueueJson("t.greet", "{\"name\": \"Ada Lovelace\"}", JobOptions.NONE);
        var greet = Task.of("t.greet", FullName.class, (n, ctx) -> "hello " + n.first() + " / " + n.last())
                .withOptions(TaskOptions.DEFAULTS.withVersion(2).withUpcaster(1, args -> {
                    String[] parts = args.get("name").asText().split(" ", 2);
                    var v2 = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
                    return v2.put("first", parts[0]).put("last", parts.length > 1 ? parts[1] : "");
                }));
        kyu.register(greet);
        var fresh = kyu.enqueue(greet, new FullName("Grace", "Hopper"));
        assertThat(fresh.job().meta()).containsEntry("kyu.version", "2");
        start(options().build());
        assertThat(awaitState(old.id(), JobState.SUCCEEDED).result()).isEqualTo("\"hello Ada / Lovelace\"");
        assertThat(awaitState(fresh.id(), JobState.SUCCEEDED).result()).isEqualTo("\"hello Grace / Hopper\"");
    }

    @Test
    void argsWithoutAnUpcasterPathOrAFailingUpcasterFailAtOnceWithTheReason() {
        var noPath = kyu.enqueueJson(
                "t.v3", "{}", JobOptions.builder().maxAttempts(3).build()); // version 1
        var v3 = Task.of("t.v3", JsonNode.class, (a, ctx) -> "ran")
                .withOptions(TaskOptions.DEFAULTS.withVersion(3).withUpcaster(2, args -> {
                    throw new IllegalStateException("no middle name");
                }));
        kyu.register(v3);
        var throwing = kyu.enqueueJson(
                "t.v3",
                "{}",
                JobOptions.builder().maxAttempts(3).meta("kyu.version", "2").build());
        var newer = kyu.enqueueJson(
                "t.v3",
                "{}",
                JobOptions.builder().maxAttempts(3).meta("kyu.version", "4").build());
        var garbled = kyu.enqueueJson(
                "t.v3",
                "{}",
                JobOptions.builder().maxAttempts(3).meta("kyu.version", "two").build());
        var current = kyu.enqueueJson("t.v3", "{}", JobOptions.NONE);
        start(options().unknownTaskGrace(Duration.ZERO).build());

        Map<String, String> expected = Map.of(
                noPath.id(),
                "no upcaster from version 1 to 2",
                throwing.id(),
                "upcaster from version 2 to 3 failed: java.lang.IllegalStateException: no middle name",
                newer.id(),
                "only version 3",
                garbled.id(),
                "not a version");
        expected.forEach((id, reason) -> {
            Job dead = awaitState(id, JobState.FAILED);
            assertThat(dead.attempt()).isEqualTo(1);
            assertThat(dead.lastError().type()).isEqualTo(JobError.BAD_VERSION);
            assertThat(dead.lastError().message()).contains(reason);
        });
        assertThat(awaitState(current.id(), JobState.SUCCEEDED).result()).isEqualTo("\"ran\"");
    }

    // ---- alerts --------------------------------------------------------------------------------------

    @Test
    void aTasksFailureRateRuleCountsItsRetriedAndFinalFailuresFromTheQueryApi() throws Exception {
        List<AlertMessage> sent = new CopyOnWriteArrayList<>();
        AlertChannel channel = new AlertChannel() {
            @Override
            public String name() {
                return "capture";
            }

            @Override
            public void send(AlertMessage m) {
                sent.add(m);
            }
        };
        var config = new AlertConfig(
                null,
                Duration.ofSeconds(1),
                Duration.ofMinutes(5),
                3,
                Map.of("capture", channel),
                List.of(
                        new Rule.FailureRate(
                                "charge", "shop", "kyu.fail", 50, Duration.ofMinutes(10), 4, List.of("capture")),
                        new Rule.FailureRate(
                                "echo", null, "kyu.echo", 50, Duration.ofMinutes(10), 1, List.of("capture"))));
        start(options().queues("shop").build());
        var retried = JobOptions.builder()
                .queue("shop")
                .maxAttempts(3)
                .backoff(Backoff.fixed(Duration.ofMillis(10)))
                .build();
        assertThat(kyu.enqueueJson("kyu.fail", "{}", retried).awaitJob(WAIT).state())
                .isEqualTo(JobState.FAILED); // 3 failed attempts
        assertThat(kyu.enqueueJson("kyu.fail", "{\"times\": 0}", retried)
                        .awaitJob(WAIT)
                        .state())
                .isEqualTo(JobState.SUCCEEDED);
        for (int i = 0; i < 3; i++) kyu.enqueueJson("kyu.echo", "{}", retried).awaitJob(WAIT);

        try (Alerts alerts = Alerts.of(kyu, config)) {
            await().atMost(WAIT).until(() -> {
                alerts.check();
                return !sent.isEmpty();
            });
            alerts.check();
        } // closing lets every queued message go out
        assertThat(sent).singleElement().satisfies(m -> {
            assertThat(m.kind()).isEqualTo(AlertMessage.Kind.FIRING);
            assertThat(m.text())
                    .isEqualTo(
                            "75.0% of attempts of task kyu.fail on queue shop failed in the last 10m (3 of 4; limit 50%)");
        });
    }
}
