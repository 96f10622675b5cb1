package dev.kyu.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Which ticks a pass fires: on time, after downtime under each missed-tick policy, and the grace. */
class TickPlanTest {
    static final Duration GRACE = Duration.ofMinutes(1);

    static Schedule every5m(MissedTickPolicy p, int limit) {
        return Schedule.builder("s", "kyu.noop")
                .every("5m")
                .missedTicks(p)
                .catchUpLimit(limit)
                .build();
    }

    static Instant t(String hhmmss) {
        return Instant.parse("2024-01-01T" + hhmmss + "Z");
    }

    @Test
    void nothingDueLeavesTheHorizon() {
        var p = TickPlan.of(every5m(MissedTickPolicy.FIRE_ONCE, 10), t("10:00:00"), t("10:04:59"), GRACE);
        assertThat(p.fire()).isEmpty();
        assertThat(p.horizon()).isEqualTo(t("10:00:00"));
        assertThat(p.isEmpty()).isTrue();
    }

    @Test
    void anOnTimeTickFiresUnderEveryPolicy() {
        for (var policy : MissedTickPolicy.values()) {
            var p = TickPlan.of(every5m(policy, 10), t("10:00:00"), t("10:05:00.400"), GRACE);
            assertThat(p.fire()).as(policy.text()).containsExactly(t("10:05:00"));
            assertThat(p.horizon()).isEqualTo(t("10:05:00"));
            assertThat(p.dropped()).isZero();
        }
    }

    @Test
    void skipDropsMissedTicksAndFiresOnlyOnTimeOnes() {
        // down from 10:00 to 10:31: 10:05 … 10:30 came due; 10:30 is 1 min late (within grace)
        var p = TickPlan.of(every5m(MissedTickPolicy.SKIP, 10), t("10:00:00"), t("10:31:00"), GRACE);
        assertThat(p.fire()).containsExactly(t("10:30:00"));
        assertThat(p.horizon()).isEqualTo(t("10:30:00"));
        var late = TickPlan.of(every5m(MissedTickPolicy.SKIP, 10), t("10:00:00"), t("10:32:00"), GRACE);
        assertThat(late.fire()).isEmpty();
        assertThat(late.horizon()).isEqualTo(t("10:30:00"));
        assertThat(late.dropped()).isPositive();
    }

    @Test
    void fireOnceFiresTheLatestMissedTickOnce() {
        var p = TickPlan.of(every5m(MissedTickPolicy.FIRE_ONCE, 10), t("10:00:00"), t("10:33:00"), GRACE);
        assertThat(p.fire()).containsExactly(t("10:30:00"));
        assertThat(p.horizon()).isEqualTo(t("10:30:00"));
        assertThat(p.dropped()).isPositive();
    }

    @Test
    void catchUpFiresMissedTicksOldestFirstWithinItsLimit() {
        var all = TickPlan.of(every5m(MissedTickPolicy.CATCH_UP, 10), t("10:00:00"), t("10:33:00"), GRACE);
        assertThat(all.fire())
                .containsExactly(
                        t("10:05:00"), t("10:10:00"), t("10:15:00"), t("10:20:00"), t("10:25:00"), t("10:30:00"));
        assertThat(all.dropped()).isZero();

        var bounded = TickPlan.of(every5m(MissedTickPolicy.CATCH_UP, 3), t("10:00:00"), t("10:33:00"), GRACE);
        assertThat(bounded.fire()).containsExactly(t("10:20:00"), t("10:25:00"), t("10:30:00"));
        assertThat(bounded.horizon()).isEqualTo(t("10:30:00"));
        assertThat(bounded.dropped()).isPositive();
    }

    @Test
    void aLongDowntimeIsPlannedWithoutWalkingEveryTick() {
        // a year of per-second ticks missed: only the latest few are looked at
        var s = Schedule.builder("s", "kyu.noop")
                .cron("* * * * * *")
                .missedTicks(MissedTickPolicy.CATCH_UP)
                .catchUpLimit(5)
                .build();
        var p = TickPlan.of(s, Instant.parse("2023-01-01T00:00:00Z"), t("10:00:00.5"), Duration.ZERO);
        assertThat(p.fire()).containsExactly(t("09:59:56"), t("09:59:57"), t("09:59:58"), t("09:59:59"), t("10:00:00"));
    }

    @Test
    void cronTicksAcrossSpringForwardAreCaughtUpOnceEach() {
        // hourly in New York, scheduler down 00:30 to 04:30 local on 2024-03-10: 01:00 EST, 03:00 EDT (02:00 folded
        // in), 04:00 EDT
        var s = Schedule.builder("s", "kyu.noop")
                .cron("0 * * * *")
                .zone("America/New_York")
                .missedTicks(MissedTickPolicy.CATCH_UP)
                .build();
        var p = TickPlan.of(s, Instant.parse("2024-03-10T05:30:00Z"), Instant.parse("2024-03-10T08:30:00Z"), GRACE);
        assertThat(p.fire())
                .containsExactly(
                        Instant.parse("2024-03-10T06:00:00Z"),
                        Instant.parse("2024-03-10T07:00:00Z"),
                        Instant.parse("2024-03-10T08:00:00Z"));
    }
}
