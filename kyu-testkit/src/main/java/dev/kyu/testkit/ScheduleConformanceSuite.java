package dev.kyu.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kyu.ManualClock;
import dev.kyu.job.Job;
import dev.kyu.job.JobState;
import dev.kyu.schedule.MissedTickPolicy;
import dev.kyu.schedule.OverlapPolicy;
import dev.kyu.schedule.Pass;
import dev.kyu.schedule.Schedule;
import dev.kyu.schedule.ScheduleAdmin;
import dev.kyu.schedule.ScheduleInfo;
import dev.kyu.schedule.Scheduler;
import dev.kyu.spi.Broker;
import dev.kyu.spi.Completion;
import dev.kyu.spi.FetchRequest;
import dev.kyu.spi.JobQuery;
import dev.kyu.spi.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Periodic schedules on an engine: what {@code dev.kyu.schedule} needs from the broker's unique keys,
 * key-value store and locks, through separate connections to one store (as separate processes would
 * have). The schedulers' clock is moved by hand; the broker may judge its own time by its server, since
 * nothing here waits on the broker's clock (tick keys are kept for a day or more).
 *
 * <pre>{@code
 * class SqliteScheduleConformanceTest extends ScheduleConformanceSuite {
 *     protected List<Broker> openConnections(int n) { ... n brokers on one fresh database file ... }
 * }
 * }</pre>
 */
public abstract class ScheduleConformanceSuite {
    private static final Instant START = Instant.parse("2030-03-10T06:50:00Z");

    /** {@code n} open brokers on one fresh, empty store: separate connections, as separate processes would have. */
    protected abstract List<Broker> openConnections(int n) throws Exception;

    private final ManualClock clock = new ManualClock(START);
    private final List<Broker> open = new ArrayList<>();

    @AfterEach
    void closeConnections() {
        open.forEach(Broker::close);
    }

    private List<Broker> connections(int n) throws Exception {
        List<Broker> all = openConnections(n);
        open.addAll(all);
        return all;
    }

    private static List<Schedule> schedules() {
        return List.of(
                Schedule.builder("every-10s", "kyu.noop").every("10s").build(),
                Schedule.builder("cron-15s", "kyu.noop")
                        .cron("*/15 * * * * *")
                        .zone("America/New_York")
                        .build(),
                Schedule.builder("catch-up", "kyu.noop")
                        .every("1m")
                        .missedTicks(MissedTickPolicy.CATCH_UP)
                        .build());
    }

    private Scheduler scheduler(Broker b, String owner, boolean leadership) {
        return Scheduler.builder(b)
                .clock(clock)
                .schedules(schedules())
                .owner(owner)
                .leadership(leadership)
                .build();
    }

    private static List<String> expected(Instant from, Instant to) {
        var out = new ArrayList<String>();
        for (Schedule s : schedules()) {
            for (Instant t = s.trigger().nextAfter(from, s.zone());
                    !t.isAfter(to);
                    t = s.trigger().nextAfter(t, s.zone())) {
                out.add(s.name() + "@" + t);
            }
        }
        Collections.sort(out);
        return out;
    }

    private static List<String> enqueued(Broker b) {
        return b.jobsList(JobQuery.all(10_000)).stream()
                .map(j -> j.meta().get("kyu.schedule") + "@" + j.meta().get("kyu.fireAt"))
                .sorted()
                .toList();
    }

    private static void assertEachOnce(List<String> actual, List<String> expected) {
        Map<String, Long> counts =
                actual.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        assertThat(counts.entrySet())
                .filteredOn(e -> e.getValue() > 1)
                .as("ticks enqueued more than once")
                .isEmpty();
        assertThat(actual).containsExactlyElementsOf(expected);
    }

    @Test
    void threeSchedulersPassingAtTheSameInstantEnqueueEachTickOnce() throws Exception {
        List<Broker> brokers = connections(3);
        var all = new ArrayList<Scheduler>();
        for (int i = 0; i < 3; i++) all.add(scheduler(brokers.get(i), "s" + i, false)); // all believe they may work
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            var barrier = new CyclicBarrier(3);
            int created = 0;
            for (int step = 0; step <= 150; step++) {
                var futures = new ArrayList<Future<Pass>>();
                for (Scheduler s : all) {
                    futures.add(pool.submit(() -> {
                        barrier.await(10, TimeUnit.SECONDS);
                        return s.runDue();
                    }));
                }
                for (var f : futures)
                    created += f.get(60, TimeUnit.SECONDS).created().size();
                clock.advance(Duration.ofSeconds(1));
            }
            List<String> want = expected(START, clock.instant().minusSeconds(1));
            assertEachOnce(enqueued(brokers.get(0)), want);
            assertThat(created).as("ticks the engine reported as newly created").isEqualTo(want.size());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void withLeadershipOneWorksAndTheTicksAreStillEachOnce() throws Exception {
        List<Broker> brokers = connections(3);
        var all = List.of(
                scheduler(brokers.get(0), "a", true),
                scheduler(brokers.get(1), "b", true),
                scheduler(brokers.get(2), "c", true));
        int leaders = 0;
        for (Scheduler s : all) if (s.runDue().leader()) leaders++;
        assertThat(leaders).as("schedulers that won the lock at once").isEqualTo(1);
        for (int step = 0; step < 120; step++) {
            clock.advance(Duration.ofSeconds(1));
            for (Scheduler s : all) s.runDue();
        }
        assertEachOnce(enqueued(brokers.get(1)), expected(START, clock.instant()));
    }

    @Test
    void anotherConnectionListsPausesAndRunsSchedules() throws Exception {
        List<Broker> brokers = connections(2);
        Scheduler s = scheduler(brokers.get(0), "a", true);
        s.runDue();
        clock.advance(Duration.ofSeconds(10));
        String job = s.runDue().ticks().stream()
                .filter(t -> t.schedule().equals("every-10s"))
                .findFirst()
                .orElseThrow()
                .jobId();

        var admin = new ScheduleAdmin(brokers.get(1), clock, null);
        List<ScheduleInfo> list = admin.list();
        assertThat(list).extracting(ScheduleInfo::name).containsExactly("catch-up", "cron-15s", "every-10s");
        ScheduleInfo e = list.get(2);
        assertThat(e.lastFireAt()).isEqualTo(START.plusSeconds(10));
        assertThat(e.lastJobId()).isEqualTo(job);
        assertThat(e.nextFireAt()).isEqualTo(START.plusSeconds(20));

        admin.pause("every-10s");
        clock.advance(Duration.ofSeconds(30));
        s.runDue();
        assertThat(enqueued(brokers.get(1)))
                .filteredOn(t -> t.startsWith("every-10s@"))
                .hasSize(1);
        admin.resume("every-10s");
        clock.advance(Duration.ofSeconds(10));
        s.runDue();
        assertThat(enqueued(brokers.get(1)))
                .filteredOn(t -> t.startsWith("every-10s@"))
                .hasSize(2);

        String manual = admin.runNow("every-10s");
        assertThat(brokers.get(0).jobGet(manual)).get().extracting(Job::task).isEqualTo("kyu.noop");
    }

    @Test
    void overlapSkipReadsThePreviousRunsStateThroughTheEngine() throws Exception {
        Broker b = connections(1).get(0);
        Scheduler s = Scheduler.builder(b)
                .clock(clock)
                .owner("o")
                .schedules(List.of(Schedule.builder("o", "kyu.noop")
                        .every("1m")
                        .overlap(OverlapPolicy.SKIP)
                        .build()))
                .build();
        s.runDue();
        clock.set(START.plus(Duration.ofMinutes(10)));
        String first = s.runDue().ticks().get(0).jobId();
        clock.advance(Duration.ofMinutes(1));
        assertThat(s.runDue().ticks()).isEmpty(); // first still QUEUED
        Job running = b.jobsFetch(new FetchRequest("w", List.of("default"), 1, Duration.ofMinutes(10), Duration.ZERO))
                .get(0);
        assertThat(running.id()).isEqualTo(first);
        clock.advance(Duration.ofMinutes(1));
        assertThat(s.runDue().ticks()).isEmpty(); // first RUNNING
        b.jobsComplete(List.of(new Completion(running.lease(), new Outcome.Succeeded("null"))));
        assertThat(b.jobGet(first)).get().extracting(Job::state).isEqualTo(JobState.SUCCEEDED);
        clock.advance(Duration.ofMinutes(1));
        assertThat(s.runDue().ticks()).hasSize(1);
    }
}
