package dev.kyu.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kyu.KyuException;
import dev.kyu.ManualClock;
import dev.kyu.broker.memory.MemoryBroker;
import dev.kyu.codec.JsonCodec;
import dev.kyu.spi.Broker;
import dev.kyu.spi.BrokerConfig;
import dev.kyu.spi.Brokers;
import dev.kyu.spi.JobQuery;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Listing and controlling schedules from another connection, with nothing but the broker in common. */
class ScheduleAdminTest {
    final ManualClock clock = new ManualClock("2024-06-12T10:02:00Z");
    final String store = "admin-" + System.nanoTime();
    final Broker schedulerSide = open();
    final Broker adminSide = open();

    Broker open() {
        return Brokers.open(new BrokerConfig("memory:" + store, clock, Map.of()));
    }

    @AfterEach
    void close() {
        schedulerSide.close();
        adminSide.close();
    }

    Scheduler scheduler() {
        return Scheduler.builder(schedulerSide)
                .clock(clock)
                .schedules(List.of(
                        Schedule.builder("morning-report", "reports.morning")
                                .cron("30 7 * * *")
                                .zone("Asia/Tokyo")
                                .argsJson("{\"team\":\"sales\"}")
                                .build(),
                        Schedule.builder("refresh", "cache.refresh")
                                .every("5m")
                                .overlap(OverlapPolicy.SKIP)
                                .build()))
                .build();
    }

    @Test
    void listsDefinitionsWithLastAndNextFireAndPaused() {
        var s = scheduler();
        s.runDue();
        clock.set(Instant.parse("2024-06-12T10:05:01Z"));
        String job = s.runDue().ticks().get(0).jobId();

        var admin = new ScheduleAdmin(adminSide);
        admin.pause("morning-report");
        List<ScheduleInfo> list = admin.list();
        assertThat(list).extracting(ScheduleInfo::name).containsExactly("morning-report", "refresh");

        ScheduleInfo m = list.get(0);
        assertThat(m.task()).isEqualTo("reports.morning");
        assertThat(m.cron()).isEqualTo("30 7 * * *");
        assertThat(m.every()).isNull();
        assertThat(m.zone()).isEqualTo("Asia/Tokyo");
        assertThat(m.args()).isEqualTo("{\"team\":\"sales\"}");
        assertThat(m.paused()).isTrue();
        assertThat(m.lastFireAt()).isNull();
        assertThat(m.nextFireAt()).isEqualTo(Instant.parse("2024-06-12T22:30:00Z")); // 07:30 on the 13th in Tokyo
        assertThat(m.trigger()).isEqualTo("cron \"30 7 * * *\"");

        ScheduleInfo r = list.get(1);
        assertThat(r.every()).isEqualTo("5m");
        assertThat(r.paused()).isFalse();
        assertThat(r.lastFireAt()).isEqualTo(Instant.parse("2024-06-12T10:05:00Z"));
        assertThat(r.lastJobId()).isEqualTo(job);
        assertThat(r.nextFireAt()).isEqualTo(Instant.parse("2024-06-12T10:10:00Z"));
        assertThat(r.overlap()).isEqualTo("skip");
        assertThat(r.missedTicks()).isEqualTo("fire-once");

        String table = ScheduleListing.table(list);
        assertThat(table.lines().toList()).hasSize(3);
        assertThat(table.lines().findFirst().orElseThrow()).startsWith("NAME").contains("NEXT FIRE");
        assertThat(table).contains("cron \"30 7 * * *\"", "Asia/Tokyo", "yes", "2024-06-12T22:30:00Z", "every 5m");
        assertThat(ScheduleListing.json(list)).startsWith("[{\"name\":\"morning-report\"");

        admin.resume("morning-report");
        assertThat(admin.get("morning-report").orElseThrow().paused()).isFalse();
        // the JSON shape of `kyu inspect schedules --json`
        String json = JsonCodec.shared().encode(list.get(1));
        assertThat(json)
                .contains(
                        "\"name\":\"refresh\"",
                        "\"every\":\"5m\"",
                        "\"paused\":false",
                        "\"lastFireAt\":\"2024-06-12T10:05:00Z\"",
                        "\"nextFireAt\":\"2024-06-12T10:10:00Z\"");
    }

    @Test
    void definitionsArePublishedBeforeTheFirstTick() {
        scheduler().publish();
        assertThat(new ScheduleAdmin(adminSide).list()).hasSize(2);
    }

    @Test
    void unknownNamesAreOneLineErrorsListingTheKnownOnes() {
        var admin = new ScheduleAdmin(adminSide);
        assertThatThrownBy(() -> admin.pause("nope"))
                .isInstanceOf(KyuException.InvalidInput.class)
                .hasMessage("no schedule named 'nope': no schedules are defined");
        scheduler().publish();
        assertThatThrownBy(() -> admin.runNow("morning"))
                .isInstanceOf(KyuException.InvalidInput.class)
                .hasMessage("no schedule named 'morning' (known: morning-report, refresh)");
        assertThatThrownBy(() -> admin.resume("x")).isInstanceOf(KyuException.InvalidInput.class);
        assertThatThrownBy(() -> admin.delete("x")).isInstanceOf(KyuException.InvalidInput.class);
    }

    @Test
    void anUnreadableStoredDefinitionIsListedWithItsProblem() {
        adminSide.kvPut("kyu:schedule:def:broken", "{\"task\":\"t\",\"cron\":\"99 * * * *\"}");
        var info = new ScheduleAdmin(adminSide).get("broken").orElseThrow();
        assertThat(info.problem()).startsWith("schedule 'broken', field 'cron': bad cron expression");
        assertThatThrownBy(() -> new ScheduleAdmin(adminSide).runNow("broken"))
                .hasMessageStartingWith("schedule 'broken' cannot run");
    }

    @Test
    void deleteForgetsASchedule() {
        var s = scheduler();
        s.runDue();
        var admin = new ScheduleAdmin(adminSide);
        admin.pause("refresh");
        admin.delete("refresh");
        assertThat(admin.list()).extracting(ScheduleInfo::name).containsExactly("morning-report");
        assertThat(adminSide.kvList("kyu:schedule:").keySet()).noneMatch(k -> k.endsWith(":refresh"));
    }

    @Test
    void theBackgroundLoopEnqueuesOnRealTimeAndStops() {
        try (Broker broker = MemoryBroker.open(java.time.Clock.systemUTC());
                Scheduler s = Scheduler.builder(broker)
                        .schedules(List.of(
                                Schedule.builder("tick", "kyu.noop").every("1s").build()))
                        .pollInterval(Duration.ofMillis(200))
                        .build()
                        .start()) {
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> broker.jobsList(JobQuery.all(100)).size() >= 2);
            s.stop();
            int after = broker.jobsList(JobQuery.all(100)).size();
            assertThat(after).isGreaterThanOrEqualTo(2);
            // leadership was handed on at stop: another scheduler can lead at once
            assertThat(Scheduler.builder(broker)
                            .schedules(s.schedules())
                            .build()
                            .runDue()
                            .leader())
                    .isTrue();
        }
    }
}
