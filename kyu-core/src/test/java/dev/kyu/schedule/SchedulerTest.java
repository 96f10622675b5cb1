package dev.kyu.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kyu.ManualClock;
import dev.kyu.broker.memory.MemoryBroker;
import dev.kyu.job.Job;
import dev.kyu.job.JobOptions;
import dev.kyu.job.JobState;
import dev.kyu.spi.Broker;
import dev.kyu.spi.Completion;
import dev.kyu.spi.FetchRequest;
import dev.kyu.spi.JobQuery;
import dev.kyu.spi.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One scheduler on the memory engine, driven pass by pass on a manual clock: ticks, policies, pause, run now. */
class SchedulerTest {
    final ManualClock clock = new ManualClock("2024-01-01T10:02:00Z");
    final Broker broker = MemoryBroker.open(clock);

    @AfterEach
    void close() {
        broker.close();
    }

    Scheduler scheduler(Schedule... schedules) {
        return Scheduler.builder(broker)
                .clock(clock)
                .schedules(List.of(schedules))
                .build();
    }

    List<Job> jobs() {
        return broker.jobsList(JobQuery.all(10_000)).stream()
                .sorted(Comparator.comparing(j -> j.meta().get("kyu.fireAt")))
                .toList();
    }

    List<Instant> fireTimes() {
        return jobs().stream()
                .filter(j -> "schedule".equals(j.meta().get("kyu.trigger")))
                .map(j -> Instant.parse(j.meta().get("kyu.fireAt")))
                .toList();
    }

    static Instant t(String hhmmss) {
        return Instant.parse("2024-01-01T" + hhmmss + "Z");
    }

    /** Runs a pass at each step from now until {@code until}. */
    void runUntil(Scheduler s, Instant until, Duration step) {
        while (clock.instant().isBefore(until)) {
            clock.advance(step);
            s.runDue();
        }
    }

    @Test
    void firstSightOwesNothingThenEachTickIsEnqueuedOnceWithItsKeyArgsAndOptions() {
        var s = scheduler(Schedule.builder("refresh", "cache.refresh")
                .every("5m")
                .argsJson("{\"region\":\"eu\"}")
                .options(JobOptions.builder()
                        .queue("cache")
                        .priority(7)
                        .maxAttempts(4)
                        .meta("team", "web")
                        .build())
                .build());
        assertThat(s.runDue().ticks()).isEmpty();
        clock.set(t("10:05:00.300"));
        Pass p = s.runDue();
        assertThat(p.ticks()).singleElement().satisfies(tick -> {
            assertThat(tick.fireAt()).isEqualTo(t("10:05:00"));
            assertThat(tick.created()).isTrue();
        });
        assertThat(p.nextFireAt()).isEqualTo(t("10:10:00"));
        assertThat(s.runDue().ticks()).isEmpty(); // same time again: nothing new

        Job job = broker.jobGet(p.ticks().get(0).jobId()).orElseThrow();
        assertThat(job.task()).isEqualTo("cache.refresh");
        assertThat(job.queue()).isEqualTo("cache");
        assertThat(job.priority()).isEqualTo(7);
        assertThat(job.maxAttempts()).isEqualTo(4);
        assertThat(job.args()).isEqualTo("{\"region\":\"eu\"}");
        assertThat(job.uniqueKey()).isEqualTo("kyu:schedule:refresh:2024-01-01T10:05:00Z");
        assertThat(job.state()).isEqualTo(JobState.QUEUED);
        assertThat(job.meta())
                .containsEntry("team", "web")
                .containsEntry("kyu.schedule", "refresh")
                .containsEntry("kyu.fireAt", "2024-01-01T10:05:00Z")
                .containsEntry("kyu.trigger", "schedule");

        runUntil(s, t("10:30:00"), Duration.ofSeconds(7));
        assertThat(fireTimes())
                .containsExactly(
                        t("10:05:00"), t("10:10:00"), t("10:15:00"), t("10:20:00"), t("10:25:00"), t("10:30:00"));
    }

    @Test
    void cronWithSecondsFiresEveryNamedSecond() {
        var s = scheduler(
                Schedule.builder("fast", "kyu.noop").cron("*/10 * * * * *").build());
        s.runDue();
        runUntil(s, t("10:03:00"), Duration.ofSeconds(1));
        assertThat(fireTimes())
                .containsExactly(
                        t("10:02:10"), t("10:02:20"), t("10:02:30"), t("10:02:40"), t("10:02:50"), t("10:03:00"));
    }

    @Test
    void intervalsFireOnTimeEvenWhenPassesAreSparse() {
        var s = scheduler(Schedule.builder("i", "kyu.noop")
                .every("30s")
                .missedTicks(MissedTickPolicy.SKIP)
                .build());
        s.runDue();
        runUntil(s, t("10:04:00"), Duration.ofSeconds(45)); // passes every 45 s, ticks every 30 s, grace 1 min
        assertThat(fireTimes()).containsExactly(t("10:02:30"), t("10:03:00"), t("10:03:30"), t("10:04:00"));
    }

    Scheduler afterDowntime(MissedTickPolicy policy, int limit) {
        var s = scheduler(Schedule.builder("m", "kyu.noop")
                .every("5m")
                .missedTicks(policy)
                .catchUpLimit(limit)
                .build());
        s.runDue();
        clock.set(t("11:03:00")); // down from 10:02 to 11:03: 10:05 … 11:00 came due, 11:00 is 3 min late
        return s;
    }

    @Test
    void missedTicksSkip() {
        var s = afterDowntime(MissedTickPolicy.SKIP, 10);
        Pass p = s.runDue();
        assertThat(p.ticks()).isEmpty();
        assertThat(p.skipped()).isPositive();
        runUntil(s, t("11:10:00"), Duration.ofSeconds(30));
        assertThat(fireTimes()).containsExactly(t("11:05:00"), t("11:10:00"));
    }

    @Test
    void missedTicksFireOnce() {
        var s = afterDowntime(MissedTickPolicy.FIRE_ONCE, 10);
        assertThat(s.runDue().ticks()).extracting(Pass.Tick::fireAt).containsExactly(t("11:00:00"));
        runUntil(s, t("11:05:00"), Duration.ofSeconds(30));
        assertThat(fireTimes()).containsExactly(t("11:00:00"), t("11:05:00"));
    }

    @Test
    void missedTicksCatchUpWithinTheLimit() {
        var s = afterDowntime(MissedTickPolicy.CATCH_UP, 4);
        assertThat(s.runDue().ticks())
                .extracting(Pass.Tick::fireAt)
                .containsExactly(t("10:45:00"), t("10:50:00"), t("10:55:00"), t("11:00:00"));
        runUntil(s, t("11:05:00"), Duration.ofSeconds(30));
        assertThat(fireTimes())
                .containsExactly(t("10:45:00"), t("10:50:00"), t("10:55:00"), t("11:00:00"), t("11:05:00"));
        // the key of a tick caught up an hour late is kept for at least a day
        assertThat(jobs().get(0).uniqueKey()).isEqualTo("kyu:schedule:m:2024-01-01T10:45:00Z");
    }

    @Test
    void overlapSkipWaitsWhileThePreviousRunIsQueuedOrRunning() throws Exception {
        var s = scheduler(Schedule.builder("o", "kyu.noop")
                .every("1m")
                .overlap(OverlapPolicy.SKIP)
                .build());
        s.runDue();
        clock.set(t("10:03:00"));
        String first = s.runDue().ticks().get(0).jobId();

        clock.set(t("10:04:00")); // first still QUEUED
        assertThat(s.runDue().ticks()).isEmpty();

        Job running = broker.jobsFetch(
                        new FetchRequest("w1", List.of("default"), 1, Duration.ofMinutes(5), Duration.ZERO))
                .get(0);
        assertThat(running.id()).isEqualTo(first);
        clock.set(t("10:05:00")); // first RUNNING
        assertThat(s.runDue().ticks()).isEmpty();

        broker.jobsComplete(List.of(new Completion(running.lease(), new Outcome.Succeeded("null"))));
        clock.set(t("10:06:00")); // first SUCCEEDED: the next tick runs
        assertThat(s.runDue().ticks()).extracting(Pass.Tick::fireAt).containsExactly(t("10:06:00"));
        assertThat(fireTimes()).containsExactly(t("10:03:00"), t("10:06:00"));
    }

    @Test
    void overlapSkipFiresOnlyTheLatestOfCaughtUpTicks() {
        var s = scheduler(Schedule.builder("o", "kyu.noop")
                .every("5m")
                .overlap(OverlapPolicy.SKIP)
                .missedTicks(MissedTickPolicy.CATCH_UP)
                .build());
        s.runDue();
        clock.set(t("10:21:00"));
        assertThat(s.runDue().ticks()).extracting(Pass.Tick::fireAt).containsExactly(t("10:20:00"));
    }

    @Test
    void overlapAllowEnqueuesWhateverThePreviousRunIsDoing() {
        var s = scheduler(Schedule.builder("o", "kyu.noop").every("1m").build());
        s.runDue();
        runUntil(s, t("10:05:00"), Duration.ofSeconds(20));
        assertThat(fireTimes()).hasSize(3);
        assertThat(jobs()).allSatisfy(j -> assertThat(j.state()).isEqualTo(JobState.QUEUED));
    }

    @Test
    void pausedTicksAreDroppedAndResumeDoesNotCatchThemUp() {
        var s = scheduler(Schedule.builder("p", "kyu.noop")
                .every("1m")
                .missedTicks(MissedTickPolicy.CATCH_UP)
                .build());
        var admin = new ScheduleAdmin(broker);
        s.runDue();
        admin.pause("p");
        assertThat(admin.get("p").orElseThrow().paused()).isTrue();
        runUntil(s, t("10:06:00"), Duration.ofSeconds(30));
        assertThat(fireTimes()).isEmpty();
        admin.resume("p");
        runUntil(s, t("10:08:00"), Duration.ofSeconds(30));
        assertThat(fireTimes()).containsExactly(t("10:07:00"), t("10:08:00"));
    }

    @Test
    void runNowEnqueuesAtOnceOutsideTheTicks() {
        var s = scheduler(Schedule.builder("r", "reports.run")
                .cron("@daily")
                .argsJson("[1]")
                .options(JobOptions.builder().queue("reports").build())
                .build());
        s.runDue();
        var admin = new ScheduleAdmin(broker);
        admin.pause("r");
        String id = admin.runNow("r");
        Job job = broker.jobGet(id).orElseThrow();
        assertThat(job.task()).isEqualTo("reports.run");
        assertThat(job.queue()).isEqualTo("reports");
        assertThat(job.args()).isEqualTo("[1]");
        assertThat(job.uniqueKey()).isNull();
        assertThat(job.meta()).containsEntry("kyu.trigger", "manual").containsEntry("kyu.schedule", "r");
        assertThat(admin.runNow("r")).isNotEqualTo(id); // each run-now is its own job
    }

    @Test
    void dstAcrossSpringForwardAndFallBackInNewYorkAndBerlin() {
        var s = scheduler(
                Schedule.builder("ny-0230", "kyu.noop")
                        .cron("30 2 * * *")
                        .zone("America/New_York")
                        .build(),
                Schedule.builder("ny-0130", "kyu.noop")
                        .cron("30 1 * * *")
                        .zone("America/New_York")
                        .build(),
                Schedule.builder("berlin-0230", "kyu.noop")
                        .cron("30 2 * * *")
                        .zone("Europe/Berlin")
                        .build());
        clock.set(Instant.parse("2024-03-29T12:00:00Z"));
        s.runDue();
        runUntil(s, Instant.parse("2024-04-01T12:00:00Z"), Duration.ofMinutes(10));
        clock.set(Instant.parse("2024-11-01T12:00:00Z"));
        s.runDue(); // a jump of months: fire-once fires the latest missed tick of each
        var jump = jobs().size();
        runUntil(s, Instant.parse("2024-11-04T12:00:00Z"), Duration.ofMinutes(10));

        assertThat(ticks("berlin-0230"))
                .containsSubsequence(
                        Instant.parse("2024-03-30T01:30:00Z"),
                        Instant.parse("2024-03-31T01:00:00Z"),
                        Instant.parse("2024-04-01T00:30:00Z"));
        assertThat(ticks("ny-0230"))
                .contains(Instant.parse("2024-03-30T06:30:00Z"), Instant.parse("2024-03-31T06:30:00Z"))
                .endsWith(
                        Instant.parse("2024-11-02T06:30:00Z"),
                        Instant.parse("2024-11-03T07:30:00Z"),
                        Instant.parse("2024-11-04T07:30:00Z"));
        assertThat(ticks("ny-0130"))
                .endsWith(
                        Instant.parse("2024-11-02T05:30:00Z"),
                        Instant.parse("2024-11-03T05:30:00Z"),
                        Instant.parse("2024-11-04T06:30:00Z"));
        assertThat(jump).isEqualTo(3 * 3 + 3); // three days of spring, then one fire-once tick each
        // Berlin's fall-back (Oct 27) and New York's spring-forward (Mar 10) are covered pass by pass here:
        clock.set(Instant.parse("2024-03-09T00:00:00Z"));
        var t2 = Scheduler.builder(broker)
                .clock(clock)
                .schedules(List.of(
                        Schedule.builder("ny-spring", "kyu.noop")
                                .cron("30 2 * * *")
                                .zone("America/New_York")
                                .build(),
                        Schedule.builder("berlin-fall", "kyu.noop")
                                .cron("30 2 * * *")
                                .zone("Europe/Berlin")
                                .build()))
                .build();
        t2.runDue();
        runUntil(t2, Instant.parse("2024-03-12T00:00:00Z"), Duration.ofMinutes(10));
        clock.set(Instant.parse("2024-10-26T00:00:00Z"));
        t2.runDue();
        runUntil(t2, Instant.parse("2024-10-29T00:00:00Z"), Duration.ofMinutes(10));
        assertThat(ticks("ny-spring"))
                .startsWith(
                        Instant.parse("2024-03-09T07:30:00Z"),
                        Instant.parse("2024-03-10T07:00:00Z"),
                        Instant.parse("2024-03-11T06:30:00Z"));
        assertThat(ticks("berlin-fall"))
                .endsWith(
                        Instant.parse("2024-10-26T00:30:00Z"),
                        Instant.parse("2024-10-27T00:30:00Z"),
                        Instant.parse("2024-10-28T01:30:00Z"));
    }

    List<Instant> ticks(String schedule) {
        return jobs().stream()
                .filter(j -> schedule.equals(j.meta().get("kyu.schedule")))
                .map(j -> Instant.parse(j.meta().get("kyu.fireAt")))
                .sorted()
                .toList();
    }

    @Test
    void theStateRecordsHorizonAndLastJob() {
        var s = scheduler(Schedule.builder("f", "kyu.noop").every("1m").build());
        s.runDue();
        var store = new ScheduleStore(broker);
        Instant before = store.state("f").orElseThrow().horizon();
        clock.set(t("10:03:00"));
        s.runDue();
        assertThat(store.state("f").orElseThrow().horizon())
                .isEqualTo(t("10:03:00"))
                .isAfter(before);
        assertThat(store.state("f").orElseThrow().lastJobId())
                .isEqualTo(jobs().get(0).id());
    }

    @Test
    void followStoredRunsSchedulesPublishedElsewhereAndDropsDeletedOnes() {
        Scheduler.builder(broker)
                .clock(clock)
                .schedules(List.of(
                        Schedule.builder("stored", "kyu.noop").every("1m").build()))
                .build()
                .publish();
        var follower = Scheduler.builder(broker)
                .clock(clock)
                .followStored(true)
                .schedules(
                        List.of(Schedule.builder("own", "kyu.noop").every("1m").build()))
                .build();
        follower.runDue();
        assertThat(follower.schedules()).extracting(Schedule::name).containsExactly("own", "stored");
        clock.set(t("10:03:00"));
        assertThat(follower.runDue().ticks()).extracting(Pass.Tick::schedule).containsExactly("own", "stored");

        new ScheduleAdmin(broker).delete("stored");
        clock.set(t("10:04:00"));
        assertThat(follower.runDue().ticks()).extracting(Pass.Tick::schedule).containsExactly("own");
        assertThat(follower.schedules()).extracting(Schedule::name).containsExactly("own");
    }

    @Test
    void aStartedFollowerCountsTheStoredSchedulesItRuns() {
        Scheduler.builder(broker)
                .clock(clock)
                .schedules(List.of(
                        Schedule.builder("stored", "kyu.noop").every("1m").build()))
                .build()
                .publish();
        var logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(Scheduler.class);
        var appender = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
        appender.start();
        logger.addAppender(appender);
        var follower = Scheduler.builder(broker)
                .clock(clock)
                .followStored(true)
                .pollInterval(Duration.ofHours(1))
                .build();
        try {
            follower.start();
            assertThat(appender.list)
                    .extracting(e -> e.getFormattedMessage())
                    .anySatisfy(
                            m -> assertThat(m).startsWith("beat started as ").contains(" with 1 schedule(s) on "));
        } finally {
            follower.close();
            logger.detachAppender(appender);
        }
    }

    @Test
    void stopRunsNoFurtherPass() {
        var s = Scheduler.builder(broker)
                .clock(clock)
                .pollInterval(Duration.ofSeconds(2))
                .schedules(List.of(Schedule.builder("f", "kyu.noop").every("1m").build()))
                .build();
        var store = new ScheduleStore(broker);
        s.start();
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> store.state("f").isPresent());
        clock.set(t("10:05:00"));
        s.stop();
        // the pass that was due 2 s after the first one was dropped, not run on the way out
        assertThat(jobs()).isEmpty();
    }
}
