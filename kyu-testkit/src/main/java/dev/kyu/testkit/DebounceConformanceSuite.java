package dev.kyu.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kyu.Kyu;
import dev.kyu.KyuException;
import dev.kyu.ManualClock;
import dev.kyu.client.JobHandle;
import dev.kyu.job.Job;
import dev.kyu.job.JobOptions;
import dev.kyu.job.JobState;
import dev.kyu.spi.Broker;
import dev.kyu.spi.Capability;
import dev.kyu.spi.ClaimRequest;
import dev.kyu.spi.JobQuery;
import dev.kyu.task.Task;
import dev.kyu.task.TaskOptions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Debounce and throttle by key ({@link JobOptions.Builder#debounce}, {@link JobOptions.Builder#throttle}) through
 * the real client on an engine. They live above the broker, so what is checked here is that the engine's unique
 * keys, deletes and key-value verbs carry them: one waiting job per key, the last args, the due times.
 *
 * <p>No worker runs: a job is started by claiming it, so nothing moves unless a test moves it. Engines with
 * {@link Capability#INJECTABLE_CLOCK} get a {@link ManualClock} and time moves by hand in hours; the others judge
 * time by their server, so the unit shrinks to a fraction of a second and "time passes" is awaited on the broker's
 * clock. Every assertion holds for any time at least that long.
 */
public abstract class DebounceConformanceSuite {
    private static final Duration WAIT = Duration.ofSeconds(20);

    /** A fresh, empty broker for each test, using {@code clock} when the engine can; the suite closes it. */
    protected abstract Broker openBroker(Clock clock) throws Exception;

    public record Ping(int n) {}

    private final ManualClock clock = new ManualClock();
    private Broker broker;
    private Kyu kyu;
    private boolean manual;
    private Duration unit;
    private final Task<Ping, Integer> ping = Task.of("flow.ping", Ping.class, Integer.class, (p, ctx) -> p.n());
    private final Task<Ping, Integer> pong = Task.of("flow.pong", Ping.class, Integer.class, (p, ctx) -> p.n());

    @BeforeEach
    void openKyu() throws Exception {
        broker = openBroker(clock);
        manual = broker.capabilities().contains(Capability.INJECTABLE_CLOCK);
        unit = manual ? Duration.ofHours(1) : Duration.ofSeconds(1);
        kyu = Kyu.builder().broker(broker).build();
        kyu.register(ping, pong);
    }

    @AfterEach
    void closeAll() {
        kyu.close();
        broker.close();
    }

    private JobOptions debounce(String key, Duration quiet, Duration max) {
        return JobOptions.builder().debounce(key, quiet, max).build();
    }

    private JobOptions throttle(String key, Duration every) {
        return JobOptions.builder().throttle(key, every).build();
    }

    /** Lets at least {@code d} pass on the broker's clock. */
    private void pass(Duration d) {
        if (manual) {
            clock.advance(d);
            return;
        }
        Instant until = broker.now().plus(d);
        await().atMost(WAIT)
                .pollInterval(Duration.ofMillis(10))
                .until(() -> !broker.now().isBefore(until));
    }

    private List<Job> waiting(String task) {
        return broker.jobsList(JobQuery.all(1000)).stream()
                .filter(j -> j.task().equals(task) && (j.state() == JobState.SCHEDULED || j.state() == JobState.QUEUED))
                .toList();
    }

    private Job onlyWaiting(String task) {
        List<Job> w = waiting(task);
        assertThat(w).as("waiting jobs of " + task).hasSize(1);
        return w.get(0);
    }

    private static int n(Job j) {
        return Integer.parseInt(j.args().replaceAll("\\D", ""));
    }

    private List<Job> claim() {
        broker.jobsPromoteDue(100);
        return broker.jobsClaim(new ClaimRequest("flow-test-worker", List.of("default"), 10, Duration.ofHours(2)));
    }

    private Job claimOne() {
        List<Job> got = claim();
        assertThat(got).hasSize(1);
        return got.get(0);
    }

    private static Instant ms(Instant t) {
        return t.truncatedTo(ChronoUnit.MILLIS);
    }

    private static Instant firstCall(Job j) {
        return Instant.ofEpochMilli(Long.parseLong(j.meta().get("kyu.debounce.first")));
    }

    /** The job's due time lies within [before, after] moved by {@code d}, to the millisecond engines keep. */
    private static void assertDueWithin(Job j, Instant before, Instant after, Duration d) {
        assertThat(j.scheduledAt())
                .isBetween(ms(before).plus(d), ms(after).plus(d).plusMillis(1));
    }

    // ---- debounce -----------------------------------------------------------------------------------

    @Test
    void tenRapidDebounceCallsLeaveOneJobDueQuietAfterTheLastWithTheLastArgs() {
        var handles = new ArrayList<JobHandle<Integer>>();
        Instant before = null;
        for (int i = 0; i < 10; i++) {
            before = broker.now();
            handles.add(kyu.enqueue(ping, new Ping(i), debounce("cart-7", unit, unit.multipliedBy(10))));
        }
        Instant after = broker.now();
        Job job = onlyWaiting("flow.ping");
        assertThat(n(job)).isEqualTo(9);
        assertThat(job.id()).isEqualTo(handles.get(9).id());
        assertThat(job.attempt()).isZero();
        assertDueWithin(job, before, after, unit);
        for (int i = 0; i < 9; i++)
            assertThat(broker.jobGet(handles.get(i).id()))
                    .as("replaced job " + i)
                    .isEmpty();
        assertThat(broker.jobsList(JobQuery.all(100))).hasSize(1);
    }

    @Test
    void aSteadyStreamOfCallsRunsAtMostMaxAfterTheFirst() {
        Duration max = unit.multipliedBy(3);
        kyu.enqueue(ping, new Ping(0), debounce("feed", unit, max));
        Instant first = firstCall(onlyWaiting("flow.ping"));
        for (int i = 1; i <= 8; i++) {
            pass(unit.dividedBy(2));
            kyu.enqueue(ping, new Ping(i), debounce("feed", unit, max));
            Job w = onlyWaiting("flow.ping");
            assertThat(firstCall(w)).as("the burst's first call is carried").isEqualTo(first);
            assertThat(w.scheduledAt()).isBeforeOrEqualTo(first.plus(max));
            assertThat(n(w)).isEqualTo(i);
        }
        // Four units have passed: quiet after the last call lies beyond max, so max decides.
        assertThat(onlyWaiting("flow.ping").scheduledAt()).isEqualTo(first.plus(max));
        Job ran = claimOne();
        assertThat(n(ran)).isEqualTo(8);
        assertThat(ran.state()).isEqualTo(JobState.RUNNING);
    }

    @Test
    void aDebouncedJobIsNotDueBeforeItsQuietHasPassed() {
        kyu.enqueue(ping, new Ping(1), debounce("quiet", unit, unit.multipliedBy(5)));
        Job w = onlyWaiting("flow.ping");
        if (manual) {
            clock.set(w.scheduledAt().minusMillis(1));
            assertThat(claim()).as("claimed before its quiet passed").isEmpty();
            clock.set(w.scheduledAt());
        } else {
            pass(unit);
        }
        assertThat(n(claimOne())).isEqualTo(1);
    }

    @Test
    void aCallWhileTheDebouncedJobRunsStartsANewBurstAndLeavesTheRunningOneAlone() {
        kyu.enqueue(ping, new Ping(1), debounce("run", unit, unit.multipliedBy(5)));
        pass(unit);
        Job running = claimOne();
        Instant before = broker.now();
        JobHandle<Integer> h = kyu.enqueue(ping, new Ping(2), debounce("run", unit, unit.multipliedBy(5)));
        Instant after = broker.now();
        assertThat(h.id()).isNotEqualTo(running.id());
        Job still = broker.jobGet(running.id()).orElseThrow();
        assertThat(still.state()).isEqualTo(JobState.RUNNING);
        assertThat(n(still)).isEqualTo(1);
        Job next = onlyWaiting("flow.ping");
        assertThat(next.id()).isEqualTo(h.id());
        assertThat(n(next)).isEqualTo(2);
        assertThat(firstCall(next)).isBetween(ms(before), ms(after));
        assertDueWithin(next, before, after, unit);
    }

    // ---- throttle -----------------------------------------------------------------------------------

    @Test
    void theFirstThrottledCallOfAQuietKeyRunsAtOnce() {
        Instant before = broker.now();
        kyu.enqueue(ping, new Ping(1), throttle("lead", unit));
        Instant after = broker.now();
        assertDueWithin(onlyWaiting("flow.ping"), before, after, Duration.ZERO);
        assertThat(n(claimOne())).isEqualTo(1);
    }

    @Test
    void manyThrottledCallsInAWindowMakeOneRunAtItsEndWithTheLastArgs() {
        kyu.enqueue(ping, new Ping(0), throttle("sync", unit));
        Job leading = claimOne();
        Instant start = leading.scheduledAt();
        for (int i = 1; i <= 9; i++) kyu.enqueue(ping, new Ping(i), throttle("sync", unit));
        Job trailing = onlyWaiting("flow.ping");
        assertThat(n(trailing)).isEqualTo(9);
        assertThat(trailing.scheduledAt()).isEqualTo(start.plus(unit));
        if (manual) {
            clock.set(start.plus(unit).minusMillis(1));
            assertThat(claim()).as("a second run inside the window").isEmpty();
        }
        pass(manual ? Duration.ofMillis(1) : unit);
        Job second = claimOne();
        assertThat(second.id()).isEqualTo(trailing.id());
        assertThat(n(second)).isEqualTo(9);
        // The next window: calls wait for its end, one job again.
        for (int i = 10; i <= 14; i++) kyu.enqueue(ping, new Ping(i), throttle("sync", unit));
        Job third = onlyWaiting("flow.ping");
        assertThat(n(third)).isEqualTo(14);
        assertThat(third.scheduledAt()).isEqualTo(start.plus(unit.multipliedBy(2)));
    }

    @Test
    void aThrottledCallBeforeTheLeadingJobStartsReplacesItsArgsAndKeepsItsDueTime() {
        kyu.enqueue(ping, new Ping(1), throttle("early", unit));
        Instant due = onlyWaiting("flow.ping").scheduledAt();
        kyu.enqueue(ping, new Ping(2), throttle("early", unit));
        Job w = onlyWaiting("flow.ping");
        assertThat(n(w)).isEqualTo(2);
        assertThat(w.scheduledAt()).isEqualTo(due);
    }

    @Test
    void aThrottledKeyQuietForAWindowRunsAtOnceAgain() {
        kyu.enqueue(ping, new Ping(1), throttle("again", unit));
        Job first = claimOne();
        pass(unit.multipliedBy(2));
        Instant before = broker.now();
        kyu.enqueue(ping, new Ping(2), throttle("again", unit));
        Instant after = broker.now();
        Job w = onlyWaiting("flow.ping");
        assertThat(w.id()).isNotEqualTo(first.id());
        assertDueWithin(w, before, after, Duration.ZERO);
    }

    @Test
    void thePruneDropsLapsedThrottleWindowsAndKeepsOpenOnes() {
        kyu.enqueue(ping, new Ping(1), throttle("old", unit));
        claimOne();
        kyu.enqueue(ping, new Ping(2), throttle("open", unit.multipliedBy(1000)));
        assertThat(broker.kvList("kyu.throttle/")).hasSize(2);
        pass(unit);
        new dev.kyu.maintenance.Maintenance(broker, dev.kyu.maintenance.MaintenanceOptions.DEFAULTS).prune();
        assertThat(broker.kvList("kyu.throttle/").keySet()).containsExactly("kyu.throttle/flow.ping/open");
        // A lapsed window is the same as none: the key runs at once again.
        Instant before = broker.now();
        kyu.enqueue(ping, new Ping(3), throttle("old", unit));
        assertDueWithin(
                waiting("flow.ping").stream().filter(j -> n(j) == 3).findFirst().orElseThrow(),
                before,
                broker.now(),
                Duration.ZERO);
    }

    // ---- keys ---------------------------------------------------------------------------------------

    @Test
    void differentKeysFormsAndTasksAreIndependent() {
        Duration long_ = unit.multipliedBy(10);
        kyu.enqueue(ping, new Ping(1), debounce("a", long_, long_));
        kyu.enqueue(ping, new Ping(2), debounce("b", long_, long_));
        kyu.enqueue(pong, new Ping(3), debounce("a", long_, long_));
        kyu.enqueue(ping, new Ping(4), throttle("a", long_));
        kyu.enqueue(ping, new Ping(5), throttle("a", long_)); // replaces 4 only
        kyu.enqueue(ping, new Ping(6), debounce("b", long_, long_)); // replaces 2 only
        assertThat(waiting("flow.ping").stream().map(DebounceConformanceSuite::n))
                .containsExactlyInAnyOrder(1, 5, 6);
        assertThat(waiting("flow.pong").stream().map(DebounceConformanceSuite::n))
                .containsExactly(3);
    }

    @Test
    void eightThreadsCallingAtOnceLeaveExactlyOneWaitingJobPerKeyWithTheArgsOfOneCall() throws Exception {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < 5; round++) {
                var barrier = new CyclicBarrier(threads);
                var calls = new ArrayList<Future<Map<String, String>>>();
                int r = round;
                for (int t = 0; t < threads; t++) {
                    int n = r * 100 + t;
                    calls.add(pool.submit(() -> {
                        barrier.await(10, TimeUnit.SECONDS);
                        var ids = new HashMap<String, String>();
                        ids.put(
                                kyu.enqueue(ping, new Ping(n), debounce("hot", unit, unit.multipliedBy(4)))
                                        .id(),
                                "d" + n);
                        ids.put(
                                kyu.enqueue(pong, new Ping(n), throttle("hot", unit))
                                        .id(),
                                "t" + n);
                        return ids;
                    }));
                }
                var byId = new HashMap<String, String>();
                for (var f : calls) byId.putAll(f.get(60, TimeUnit.SECONDS));
                Job d = onlyWaiting("flow.ping");
                Job t = onlyWaiting("flow.pong");
                assertThat(byId.get(d.id()))
                        .as("the waiting debounce job is one call's, with that call's args")
                        .isEqualTo("d" + n(d));
                assertThat(byId.get(t.id()))
                        .as("the waiting throttle job is one call's, with that call's args")
                        .isEqualTo("t" + n(t));
                assertThat(n(d) / 100).isEqualTo(r);
                assertThat(n(t) / 100).isEqualTo(r);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- bad input ----------------------------------------------------------------------------------

    @Test
    void badDebounceAndThrottleInputIsRefusedAtTheCallAndStoresNothing() {
        Duration h = Duration.ofHours(1);
        assertOneLine(
                () -> JobOptions.builder().debounce("k", Duration.ZERO, h),
                "debounce quiet must be at least 1ms, was 0s");
        assertOneLine(
                () -> JobOptions.builder().debounce("k", h.negated(), h),
                "debounce quiet must be at least 1ms, was negative");
        assertOneLine(
                () -> JobOptions.builder().debounce("k", h, Duration.ZERO),
                "debounce max must be at least 1ms, was 0s");
        assertOneLine(
                () -> JobOptions.builder().debounce("k", h, Duration.ofMinutes(30)),
                "debounce max (30m) must not be shorter than its quiet (1h)");
        assertOneLine(
                () -> JobOptions.builder().throttle("k", Duration.ZERO), "throttle every must be at least 1ms, was 0s");
        assertOneLine(() -> JobOptions.builder().throttle("k", null), "throttle every must be set");
        assertOneLine(() -> JobOptions.builder().throttle(" ", h), "throttle key must not be blank");
        assertOneLine(() -> JobOptions.builder().debounce(null, h, h), "debounce key must not be blank");
        assertOneLine(
                () -> JobOptions.builder().debounce("x".repeat(501), h, h), "debounce key is 501 characters, over 500");
        assertOneLine(
                () -> JobOptions.builder().debounce("k", h, h).unique("mine").build(),
                "debounce 'k' cannot be combined with a unique key: it holds one of its own");
        assertOneLine(
                () -> JobOptions.builder().throttle("k", h).delay(h).build(),
                "throttle 'k' cannot be combined with a delay or run-at: it sets the due time itself");
        assertOneLine(
                () -> kyu.enqueueAll(ping, List.of(new Ping(1), new Ping(2)), throttle("k", h)),
                "throttle 'k' takes one job per enqueue, not a batch of 2");
        assertOneLine(
                () -> TaskOptions.of(throttle("k", h)),
                "debounce and throttle are set per enqueue, not in a task's default options");
        assertThat(broker.jobsList(JobQuery.all(100))).isEmpty();
        assertThat(broker.kvList("kyu.throttle/")).isEmpty();
    }

    private static void assertOneLine(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String message) {
        assertThatThrownBy(call).isInstanceOf(KyuException.InvalidInput.class).hasMessage(message);
    }
}
