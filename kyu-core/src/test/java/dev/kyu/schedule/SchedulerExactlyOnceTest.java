package dev.kyu.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kyu.ManualClock;
import dev.kyu.job.Job;
import dev.kyu.spi.Broker;
import dev.kyu.spi.BrokerConfig;
import dev.kyu.spi.Brokers;
import dev.kyu.spi.JobQuery;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
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
 * Three schedulers, each on its own broker connection to one shared store, all running the same
 * schedules: every tick is enqueued exactly once — with leadership, with none (every scheduler believing
 * it may work), at the same instant from three threads, and with a leader stalled past its lease
 * mid-pass and then resumed.
 */
class SchedulerExactlyOnceTest {
    static final Instant START = Instant.parse("2024-03-10T06:50:00Z"); // ten minutes before New York springs forward
    final ManualClock clock = new ManualClock(START);
    final String store = "beat-" + System.nanoTime();
    final List<Broker> brokers = new ArrayList<>();

    @AfterEach
    void closeAll() {
        brokers.forEach(Broker::close);
    }

    Broker connect() {
        Broker b = Brokers.open(new BrokerConfig("memory:" + store, clock, Map.of()));
        brokers.add(b);
        return b;
    }

    static List<Schedule> schedules() {
        return List.of(
                Schedule.builder("every-10s", "kyu.noop").every("10s").build(),
                Schedule.builder("cron-15s", "kyu.noop")
                        .cron("*/15 * * * * *")
                        .zone("America/New_York")
                        .build(),
                Schedule.builder("hourly-ny", "kyu.noop")
                        .cron("0 * * * *")
                        .zone("America/New_York")
                        .missedTicks(MissedTickPolicy.CATCH_UP)
                        .build());
    }

    Scheduler scheduler(Broker b, String owner, boolean leadership) {
        return Scheduler.builder(b)
                .clock(clock)
                .schedules(schedules())
                .owner(owner)
                .leadership(leadership)
                .leaderLease(Duration.ofSeconds(5))
                .build();
    }

    /** Every tick of every schedule in (from, to], as "name@instant". */
    static List<String> expectedTicks(Instant from, Instant to) {
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

    List<String> enqueuedTicks(Broker b) {
        List<Job> jobs = b.jobsList(JobQuery.all(10_000));
        return jobs.stream()
                .map(j -> j.meta().get("kyu.schedule") + "@" + j.meta().get("kyu.fireAt"))
                .sorted()
                .toList();
    }

    static void assertEachOnce(List<String> actual, List<String> expected) {
        Map<String, Long> counts =
                actual.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        assertThat(counts.entrySet())
                .filteredOn(e -> e.getValue() > 1)
                .as("ticks enqueued more than once")
                .isEmpty();
        assertThat(actual).containsExactlyElementsOf(expected);
    }

    @Test
    void threeSchedulersWithLeadershipInRandomOrderEnqueueEachTickOnce() {
        List<Scheduler> all = List.of(
                scheduler(connect(), "a", true), scheduler(connect(), "b", true), scheduler(connect(), "c", true));
        all.forEach(Scheduler::runDue);
        var random = new Random(42);
        int leaderPasses = 0;
        for (int step = 0; step < 20 * 60; step++) { // 20 minutes, across the spring-forward
            clock.advance(Duration.ofSeconds(1));
            var order = new ArrayList<>(all);
            Collections.shuffle(order, random);
            for (Scheduler s : order) {
                if (random.nextInt(4) == 0) continue; // some schedulers miss some passes
                if (s.runDue().leader()) leaderPasses++;
            }
            if (step == 600) clock.advance(Duration.ofSeconds(7)); // a leader's lease lapses: another takes over
        }
        assertEachOnce(enqueuedTicks(brokers.get(0)), expectedTicks(START, clock.instant()));
        assertThat(leaderPasses).isPositive();
    }

    @Test
    void withoutLeadershipAllThreeWorkAtOnceAndStillEachTickIsEnqueuedOnce() throws Exception {
        List<Scheduler> all = List.of(
                scheduler(connect(), "a", false), scheduler(connect(), "b", false), scheduler(connect(), "c", false));
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            var barrier = new CyclicBarrier(3);
            var created = Collections.synchronizedList(new ArrayList<Pass.Tick>());
            for (int step = 0; step <= 5 * 60; step++) {
                var futures = new ArrayList<Future<Pass>>();
                for (Scheduler s : all) {
                    futures.add(pool.submit(() -> {
                        barrier.await(10, TimeUnit.SECONDS); // all three pass at the same instant
                        return s.runDue();
                    }));
                }
                for (var f : futures) {
                    Pass p = f.get(30, TimeUnit.SECONDS);
                    assertThat(p.leader()).isTrue(); // without leadership every scheduler works
                    created.addAll(p.created());
                }
                clock.advance(Duration.ofSeconds(1));
            }
            Instant end = clock.instant().minusSeconds(1);
            List<String> expected = expectedTicks(START, end);
            assertEachOnce(enqueuedTicks(brokers.get(0)), expected);
            assertThat(created).hasSize(expected.size()); // the broker reported each tick created exactly once
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aLeaderStalledPastItsLeaseMidPassAndResumedEnqueuesNothingTwice() throws Exception {
        var gated = new GatedBroker(connect());
        Scheduler a = scheduler(gated, "a", true);
        Scheduler b = scheduler(connect(), "b", true);
        Scheduler c = scheduler(connect(), "c", true);
        assertThat(a.runDue().leader()).isTrue();
        assertThat(b.runDue().leader()).isFalse();
        assertThat(c.runDue().leader()).isFalse();

        clock.set(Instant.parse("2024-03-10T06:50:10Z")); // every-10s is due
        var arrived = gated.closeGate();
        CompletableFuture<Pass> stalled = CompletableFuture.supplyAsync(a::runDue);
        assertThat(arrived.await(10, TimeUnit.SECONDS)).isTrue(); // a is frozen inside its enqueue

        // a's lease (5 s) lapses while it is frozen; b takes over and goes on ticking
        for (int i = 0; i < 20; i++) {
            clock.advance(Duration.ofSeconds(1));
            b.runDue();
            c.runDue();
        }
        assertThat(enqueuedTicks(brokers.get(0)))
                .contains("every-10s@2024-03-10T06:50:10Z", "every-10s@2024-03-10T06:50:20Z");

        gated.open(); // a wakes up, still believing it leads, and enqueues what it planned 20 s ago
        Pass late = stalled.get(30, TimeUnit.SECONDS);
        assertThat(late.ticks()).extracting(Pass.Tick::fireAt).contains(Instant.parse("2024-03-10T06:50:10Z"));
        assertThat(late.created()).isEmpty(); // the broker already held every one of them

        // a's stale write did not move the schedule back: nobody re-plans the ticks b already enqueued
        var state = new ScheduleStore(brokers.get(0)).state("every-10s").orElseThrow();
        assertThat(state.horizon()).isEqualTo(Instant.parse("2024-03-10T06:50:30Z"));

        for (int i = 0; i < 120; i++) {
            clock.advance(Duration.ofSeconds(1));
            a.runDue();
            b.runDue();
            c.runDue();
        }
        assertEachOnce(enqueuedTicks(brokers.get(0)), expectedTicks(START, clock.instant()));
    }
}
