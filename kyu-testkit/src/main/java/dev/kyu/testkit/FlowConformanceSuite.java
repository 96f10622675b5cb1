package dev.kyu.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kyu.Kyu;
import dev.kyu.ManualClock;
import dev.kyu.client.JobHandle;
import dev.kyu.flow.KeySource;
import dev.kyu.flow.Limit;
import dev.kyu.flow.RateLimited;
import dev.kyu.job.Job;
import dev.kyu.job.JobOptions;
import dev.kyu.job.JobState;
import dev.kyu.maintenance.MaintenanceOptions;
import dev.kyu.spi.Broker;
import dev.kyu.spi.Capability;
import dev.kyu.task.Task;
import dev.kyu.worker.Worker;
import dev.kyu.worker.WorkerOptions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Flow control end to end (docs/flow-control.md): the real client and several workers on the engine under test,
 * limits kept in its key-value verbs. An engine runs it by subclassing with {@link #openBroker(Clock)}. The rate
 * test moves a {@link ManualClock} step by step on engines with {@link Capability#INJECTABLE_CLOCK} and runs in
 * real time on the others; the rest run in real time with short delays, waited for with Awaitility.
 */
public abstract class FlowConformanceSuite {
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** A fresh, empty broker; the clock is honoured by engines with INJECTABLE_CLOCK. The suite closes it after each test. */
    protected abstract Broker openBroker(Clock clock) throws Exception;

    protected Broker broker;
    protected Kyu kyu;
    private final List<Worker> workers = new ArrayList<>();

    public record Work(String k, int n) {}

    private final Map<String, List<Instant>> starts = new ConcurrentHashMap<>();
    private final AtomicInteger runningNow = new AtomicInteger();
    private final AtomicInteger maxRunning = new AtomicInteger();

    @AfterEach
    void closeAll() {
        workers.forEach(w -> w.stop(Duration.ofSeconds(2)));
        if (kyu != null) kyu.close();
        if (broker != null) broker.close();
    }

    /**
     * Opens the broker and the client. The client's clock is {@code clock} where the engine honours it (so both
     * judge time alike) and the system's otherwise; true when it is {@code clock}.
     */
    private boolean open(Clock clock, Map<String, dev.kyu.flow.KeyFunction> keyFunctions) throws Exception {
        broker = openBroker(clock);
        boolean honoured = clock == Clock.systemUTC() || broker.capabilities().contains(Capability.INJECTABLE_CLOCK);
        var b = Kyu.builder()
                .broker(broker)
                .clock(honoured ? clock : Clock.systemUTC())
                .maintenance(MaintenanceOptions.DEFAULTS
                        .withPromoteInterval(Duration.ofMillis(50))
                        .withRescueInterval(Duration.ofMillis(200)));
        keyFunctions.forEach(b::keyFunction);
        kyu = b.build();
        return honoured;
    }

    private void open() throws Exception {
        open(Clock.systemUTC(), Map.of());
    }

    private WorkerOptions.Builder options() {
        return WorkerOptions.builder()
                .concurrency(4)
                .leaseDuration(Duration.ofSeconds(30))
                .heartbeatInterval(Duration.ofMillis(200))
                .fetchWait(Duration.ofMillis(100))
                .shutdownGrace(Duration.ofSeconds(2));
    }

    private void startWorkers(int n, WorkerOptions.Builder options) {
        for (int i = 0; i < n; i++) {
            Worker w = kyu.worker(options.workerId("flow-" + i + "-" + System.nanoTime())
                            .build())
                    .start();
            workers.add(w);
        }
    }

    private List<Instant> startsOf(String k) {
        return starts.computeIfAbsent(k, x -> new CopyOnWriteArrayList<>());
    }

    /** A task that records when each of its runs started, by the client's clock, per args key. */
    private Task<Work, Integer> recording(String name) {
        return Task.of(name, Work.class, (w, ctx) -> {
            startsOf(w.k()).add(kyu.clock().instant());
            return w.n();
        });
    }

    private Job job(JobHandle<?> h) {
        return broker.jobGet(h.id()).orElseThrow();
    }

    private static long maxInAnyWindow(List<Instant> times, Duration window) {
        var sorted = new ArrayList<>(times);
        Collections.sort(sorted);
        long max = 0;
        for (int i = 0; i < sorted.size(); i++) {
            Instant end = sorted.get(i).plus(window);
            max = Math.max(
                    max,
                    sorted.subList(i, sorted.size()).stream()
                            .filter(t -> t.isBefore(end))
                            .count());
        }
        return max;
    }

    // ---- rate ---------------------------------------------------------------------------------------

    @Test
    void aRateIsHeldAcrossThreeWorkers() throws Exception {
        ManualClock clock = new ManualClock();
        boolean manual = open(clock, Map.of());
        var task = recording("flow.rated");
        kyu.register(task);
        long permits = 5, burst = 2;
        Duration period = Duration.ofSeconds(1), interval = period.dividedBy(permits);
        kyu.limits()
                .define(Limit.rate("rated", Limit.Target.task("flow.rated"), permits, period)
                        .withBurst(burst));
        int jobs = 12;
        var handles = new ArrayList<JobHandle<Integer>>();
        for (int i = 0; i < jobs; i++) handles.add(kyu.enqueue(task, new Work("r", i)));
        startWorkers(3, options());
        if (manual) {
            // Time stands still between steps: the burst starts at once, then exactly one job per interval. Each
            // step waits until every job has started or is back waiting (a hand-back is timed from when it is
            // recorded).
            var ids = handles.stream().map(JobHandle::id).toList();
            for (int step = 0; startsOf("r").size() < jobs; step++) {
                int expected = (int) Math.min(jobs, burst + step);
                await("starts by step " + step)
                        .atMost(WAIT)
                        .until(() -> startsOf("r").size() >= expected
                                && broker.jobsGet(ids).stream()
                                        .allMatch(j ->
                                                j.state() == JobState.SUCCEEDED || j.state() == JobState.SCHEDULED));
                assertThat(startsOf("r")).as("starts by step %d", step).hasSize(expected);
                clock.advance(interval);
            }
        }
        for (var h : handles) h.await(WAIT);
        assertThat(startsOf("r")).hasSize(jobs);
        assertThat(maxInAnyWindow(startsOf("r"), period))
                .as("starts within any %s", period)
                .isLessThanOrEqualTo(permits + burst);
        for (var h : handles)
            assertThat(job(h).attempt()).as("a held-back job spends no attempt").isEqualTo(1);
        assertThat(kyu.flowGate().heldBack().get("rated")).isGreaterThanOrEqualTo(jobs - burst);
        assertThat(kyu.limits().status("rated").waiting()).isZero();
    }

    @Test
    void perKeyLimitsAreIndependentAndNeverBlockOtherWork() throws Exception {
        open();
        var keyed = recording("flow.keyed");
        var free = recording("flow.free");
        kyu.register(keyed, free);
        kyu.limits()
                .define(Limit.rate("per-customer", Limit.Target.task("flow.keyed"), 1, Duration.ofHours(1))
                        .perKey(KeySource.args("/k")));
        var slow = new ArrayList<JobHandle<Integer>>();
        for (int i = 0; i < 6; i++) slow.add(kyu.enqueue(keyed, new Work("slow", i)));
        var others = new ArrayList<JobHandle<Integer>>();
        for (int i = 0; i < 10; i++) others.add(kyu.enqueue(keyed, new Work("c" + i, i)));
        for (int i = 0; i < 10; i++) others.add(kyu.enqueue(free, new Work("free", i)));
        for (int i = 0; i < 5; i++)
            others.add(kyu.enqueue(
                    free,
                    new Work("other-queue", i),
                    JobOptions.builder().queue("other").build()));
        // one small worker: if a held key blocked its slots, nothing else could run
        startWorkers(1, options().concurrency(1).prefetch(0).queues("default", "other"));
        for (var h : others) assertThat(h.await(WAIT)).isNotNull();
        await().atMost(WAIT)
                .until(() -> slow.stream()
                                        .filter(h -> job(h).state() == JobState.SUCCEEDED)
                                        .count()
                                == 1
                        && slow.stream()
                                        .filter(h -> job(h).state() == JobState.SCHEDULED)
                                        .count()
                                == 5);
        for (var h : slow) {
            Job j = job(h);
            if (j.state() == JobState.SCHEDULED)
                assertThat(j.attempt())
                        .as("a held-back job has not spent its attempt")
                        .isZero();
        }
        assertThat(startsOf("slow")).hasSize(1);
        assertThat(kyu.limits().status("per-customer").waiting()).isEqualTo(5);
    }

    // ---- concurrency --------------------------------------------------------------------------------

    @Test
    void aConcurrencyLimitIsNeverExceededAndEveryJobFinishes() throws Exception {
        open();
        var busy = Task.of("flow.busy", Work.class, (w, ctx) -> {
            int now = runningNow.incrementAndGet();
            maxRunning.accumulateAndGet(now, Math::max);
            try {
                Thread.sleep(20); // the work itself: long enough for runs to overlap
            } finally {
                runningNow.decrementAndGet();
            }
            return w.n();
        });
        kyu.register(busy);
        kyu.limits().define(Limit.concurrency("two", Limit.Target.queue("default"), 2));
        var handles = new ArrayList<JobHandle<Integer>>();
        for (int i = 0; i < 30; i++) handles.add(kyu.enqueue(busy, new Work("c", i)));
        startWorkers(3, options());
        for (var h : handles) h.await(WAIT);
        assertThat(maxRunning.get()).as("most running at once").isBetween(1, 2);
        for (var h : handles) assertThat(job(h).attempt()).isEqualTo(1);
        await().atMost(WAIT).until(() -> kyu.limits().status("two").running() == 0);
    }

    // ---- Retry-After --------------------------------------------------------------------------------

    @Test
    void retryAfterPausesTheKeyForEveryWorkerWithoutSpendingAnAttempt() throws Exception {
        open();
        var thrown = new CopyOnWriteArrayList<Instant>();
        var polite = Task.of("flow.polite", Work.class, (w, ctx) -> {
            if (w.n() == 0 && thrown.isEmpty()) {
                thrown.add(kyu.clock().instant());
                throw new RateLimited(Duration.ofSeconds(1));
            }
            startsOf(w.k()).add(kyu.clock().instant());
            return w.n();
        });
        kyu.register(polite);
        kyu.limits()
                .define(Limit.concurrency("per-host", Limit.Target.task("flow.polite"), 100)
                        .perKey(KeySource.args("/k")));
        startWorkers(2, options());
        var first = kyu.enqueue(polite, new Work("x", 0));
        await().atMost(WAIT).until(() -> !thrown.isEmpty());
        var sameKey = kyu.enqueue(polite, new Work("x", 1));
        var otherKey = kyu.enqueue(polite, new Work("y", 2));
        assertThat(otherKey.await(WAIT)).isEqualTo(2);
        assertThat(first.await(WAIT)).isEqualTo(0);
        assertThat(sameKey.await(WAIT)).isEqualTo(1);
        Instant pauseEnds = thrown.get(0).plusSeconds(1);
        assertThat(startsOf("x"))
                .as("key x ran only after the pause")
                .allSatisfy(t -> assertThat(t).isAfterOrEqualTo(pauseEnds));
        assertThat(startsOf("y").get(0)).as("key y was not paused").isBefore(pauseEnds);
        assertThat(job(first).attempt())
                .as("the rate-limited attempt was given back")
                .isEqualTo(1);
        assertThat(job(sameKey).attempt()).isEqualTo(1);
    }

    // ---- bad keys and changes -----------------------------------------------------------------------

    @Test
    void aKeyFunctionThatThrowsFailsTheJobWhileOthersRun() throws Exception {
        open(Clock.systemUTC(), Map.of("tenant", job -> {
            if (job.args().contains("bad")) throw new IllegalStateException("no tenant in " + job.id());
            return "t1";
        }));
        var task = recording("flow.tenant");
        kyu.register(task);
        kyu.limits()
                .define(Limit.rate("per-tenant", Limit.Target.task("flow.tenant"), 1000, Duration.ofSeconds(1))
                        .perKey(KeySource.function("tenant")));
        var bad = kyu.enqueue(task, new Work("bad", 0));
        var good = kyu.enqueue(task, new Work("good", 1));
        startWorkers(1, options());
        assertThat(good.await(WAIT)).isEqualTo(1);
        await().atMost(WAIT).until(() -> job(bad).state() == JobState.FAILED);
        Job failed = job(bad);
        assertThat(failed.errors()).hasSize(1);
        assertThat(failed.errors().get(0).type()).isEqualTo("kyu.FlowKeyError");
        assertThat(failed.errors().get(0).message())
                .isEqualTo("limit per-tenant: key function 'tenant' threw IllegalStateException: no tenant in "
                        + bad.id());
    }

    @Test
    void aLimitDefinedOrChangedWhileWorkersRunTakesEffectWithinTheRefresh() throws Exception {
        open();
        var task = recording("flow.changed");
        kyu.register(task);
        startWorkers(1, options());
        assertThat(kyu.enqueue(task, new Work("a", 0)).await(WAIT)).isZero();
        kyu.limits().define(Limit.rate("changed", Limit.Target.task("flow.changed"), 1, Duration.ofHours(1)));
        // within the refresh a new job is held back (the first one after the change may still take the hour's start)
        await().atMost(dev.kyu.flow.Limits.REFRESH.multipliedBy(5)).until(() -> {
            var h = kyu.enqueue(task, new Work("a", 1));
            await().atMost(WAIT).until(() -> job(h).state() != JobState.QUEUED && job(h).state() != JobState.RUNNING);
            return job(h).state() == JobState.SCHEDULED;
        });
        kyu.limits().define(Limit.rate("changed", Limit.Target.task("flow.changed"), 1000, Duration.ofSeconds(1)));
        await().atMost(dev.kyu.flow.Limits.REFRESH.multipliedBy(5)).until(() -> {
            var h = kyu.enqueue(task, new Work("b", 2));
            await().atMost(WAIT).until(() -> job(h).state() != JobState.QUEUED && job(h).state() != JobState.RUNNING);
            return job(h).state() == JobState.SUCCEEDED;
        });
    }
    // ---- garbage in the store -------------------------------------------------------------------------

    /**
     * Entries of the flow layout written by hand or by a broken tool are ignored or replaced, never thrown at
     * the worker: limited jobs still run under their readable rules, every other job runs, and a job whose key
     * cannot be computed fails with kyu.FlowKeyError. The maintenance loop keeps promoting and ageing.
     */
    @Test
    void garbageInTheFlowEntriesNeverStopsAWorker() throws Exception {
        open();
        var limited = recording("flow.garbled");
        var free = recording("flow.free");
        var keyless = recording("flow.keyless");
        kyu.register(limited).register(free).register(keyless);
        kyu.limits()
                .define(Limit.rate("g-rate", Limit.Target.task("flow.garbled"), 1000, Duration.ofSeconds(1))
                        .perKey(KeySource.args("/k")));
        kyu.limits().define(Limit.concurrency("g-conc", Limit.Target.task("flow.garbled"), 2));
        kyu.limits()
                .define(Limit.rate("g-huge", Limit.Target.task("flow.garbled"), Long.MAX_VALUE, Duration.ofDays(366))
                        .withBurst(Long.MAX_VALUE));
        kyu.limits()
                .define(Limit.rate("g-key", Limit.Target.task("flow.keyless"), 1000, Duration.ofSeconds(1))
                        .perKey(KeySource.args("/missing")));
        var garbage = new java.util.LinkedHashMap<String, String>();
        garbage.put("kyu.flow.limit/broken", "{not json");
        garbage.put(
                "kyu.flow.limit/wrong-types",
                "{\"name\":\"wrong-types\",\"target\":\"task:flow.free\",\"kind\":\"RATE\",\"permits\":\"many\",\"periodMs\":[1]}");
        garbage.put("kyu.flow.limit/nested", "{\"name\":{\"a\":{\"b\":[1,2]}},\"target\":\"queue:default\"}");
        garbage.put(
                "kyu.flow.limit/fraction",
                "{\"name\":\"fraction\",\"target\":\"task:flow.free\",\"kind\":\"CONCURRENCY\",\"permits\":0.5}");
        garbage.put("kyu.flow.rate/g-rate/a", "x,y,z");
        garbage.put("kyu.flow.rate/g-rate/b", "9223372036854775807");
        garbage.put("kyu.flow.rate/g-huge/", "-9223372036854775808,1x1");
        garbage.put("kyu.flow.slots/g-conc/", ",,,not-an-id,\u202e");
        garbage.put("kyu.flow.pause/g-rate/a", "soon");
        garbage.put("kyu.flow.pause/g-conc/", "\u0007"); // not NUL: PostgreSQL text cannot hold it
        garbage.put("kyu.flow.pause/g-rate/b", "+1000000000-12-31T23:59:59Z");
        garbage.put(
                "kyu.flow.paused/g-rate", "+1000000000-12-31T23:59:59Z"); // a pause's marker, as the layout keeps it
        garbage.put("kyu.flow.paused/g-conc", "\u0007");
        garbage.put("kyu.flow.booking/x", "x");
        garbage.put("kyu.flow.booking/not-a-job/g-conc", "1,-2,c2");
        garbage.put("kyu.flow.aging/default", "[]");
        garbage.put("kyu.flow.aging/x", "{\"every\":\"PT99999999999999999H\",\"ceiling\":1e300}");
        garbage.put("kyu.flow.aged/default", "+1000000000-12-31T23:59:59Z");
        garbage.put("kyu.throttle/flow.free/x", "garbage");
        garbage.forEach(broker::kvPut);
        startWorkers(2, options());

        var runs = new ArrayList<JobHandle<Integer>>();
        for (int i = 0; i < 6; i++) runs.add(kyu.enqueue(limited, new Work(i % 2 == 0 ? "a" : "c", i)));
        runs.add(kyu.enqueue(free, new Work("f", 6)));
        runs.add(kyu.enqueue(
                free,
                new Work("f", 7),
                JobOptions.builder().delay(Duration.ofMillis(200)).build()));
        var paused = kyu.enqueue(limited, new Work("b", 8));
        var noKey = kyu.enqueue(keyless, new Work("k", 9));
        for (var h : runs) assertThat(h.await(WAIT)).isNotNull();
        await().atMost(WAIT).until(() -> job(noKey).state() == JobState.FAILED);
        assertThat(job(noKey).errors().get(0).type()).isEqualTo("kyu.FlowKeyError");
        // key b is paused to the end of time: held, never failed
        await().atMost(WAIT).until(() -> job(paused).state() == JobState.SCHEDULED);
        assertThat(job(paused).attempt()).isZero();
        assertThat(kyu.limits().list())
                .extracting(Limit::name)
                .containsExactlyInAnyOrder("g-rate", "g-conc", "g-huge", "g-key");
        assertThat(kyu.limits().status("g-rate").pausedUntil()).containsOnlyKeys("b");
    }
    /** A downstream's Retry-After of centuries holds the job and pauses the limit for 100 years; other work runs on. */
    @Test
    void aRetryAfterOfCenturiesHoldsTheJobAndNeverStopsOtherWork() throws Exception {
        open();
        var greedy = Task.of("flow.greedy", Work.class, (w, ctx) -> {
            throw new RateLimited(
                    RateLimited.parseRetryAfter("9223372036854775807", Clock.systemUTC(), Duration.ofSeconds(1)));
        });
        var free = recording("flow.free");
        kyu.register(greedy).register(free);
        kyu.limits().define(Limit.concurrency("greedy", Limit.Target.task("flow.greedy"), 5));
        startWorkers(1, options());
        var held = kyu.enqueue(greedy, new Work("g", 0));
        await().atMost(WAIT).until(() -> job(held).state() == JobState.SCHEDULED);
        assertThat(job(held).scheduledAt()).isAfter(Instant.now().plus(Duration.ofDays(365L * 99)));
        assertThat(kyu.limits().status("greedy").pausedUntil()).containsOnlyKeys("");
        assertThat(kyu.enqueue(free, new Work("f", 1)).await(WAIT)).isEqualTo(1);
    }
}
