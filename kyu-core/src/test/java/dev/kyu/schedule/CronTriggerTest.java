package dev.kyu.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Cron fire times: field forms, macros, and the DST rules of {@link WallClock} in several zones. */
class CronTriggerTest {
    static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    static final ZoneId SYDNEY = ZoneId.of("Australia/Sydney");
    static final ZoneId LORD_HOWE = ZoneId.of("Australia/Lord_Howe"); // changes by 30 minutes

    static List<Instant> fires(String cron, ZoneId zone, Instant from, int n) {
        var t = CronTrigger.parse(cron);
        var out = new ArrayList<Instant>();
        Instant at = from;
        for (int i = 0; i < n; i++) {
            at = t.nextAfter(at, zone);
            out.add(at);
        }
        return out;
    }

    static Instant utc(String iso) {
        return Instant.parse(iso);
    }

    // ---- spring forward: a skipped wall-clock time fires once, at the first valid instant after -----

    @Test
    void newYorkSpringForwardFiresSkippedTimeOnceAtTheChange() {
        // 2024-03-10 02:00 EST -> 03:00 EDT; 02:30 does not exist that day.
        assertThat(fires("30 2 * * *", NEW_YORK, utc("2024-03-09T00:00:00Z"), 3))
                .containsExactly(
                        utc("2024-03-09T07:30:00Z"), // 02:30 EST
                        utc("2024-03-10T07:00:00Z"), // 03:00 EDT, the first valid instant after 02:30
                        utc("2024-03-11T06:30:00Z")); // 02:30 EDT
    }

    @Test
    void berlinSpringForward() {
        // 2024-03-31 02:00 CET -> 03:00 CEST
        assertThat(fires("30 2 * * *", BERLIN, utc("2024-03-30T00:00:00Z"), 3))
                .containsExactly(utc("2024-03-30T01:30:00Z"), utc("2024-03-31T01:00:00Z"), utc("2024-04-01T00:30:00Z"));
    }

    @Test
    void sydneySpringForwardInOctober() {
        // 2024-10-06 02:00 AEST -> 03:00 AEDT
        assertThat(fires("30 2 * * *", SYDNEY, utc("2024-10-04T12:00:00Z"), 3))
                .containsExactly(utc("2024-10-04T16:30:00Z"), utc("2024-10-05T16:00:00Z"), utc("2024-10-06T15:30:00Z"));
    }

    @Test
    void lordHoweHalfHourChangeCollapsesSkippedTimesOntoOneInstant() {
        // 2024-10-06 02:00 +10:30 -> 02:30 +11:00: 02:00 and 02:15 do not exist and both become the change instant.
        List<Instant> f = fires("*/15 * * * *", LORD_HOWE, utc("2024-10-05T15:10:00Z"), 4);
        assertThat(f)
                .containsExactly(
                        utc("2024-10-05T15:15:00Z"), // 01:45 +10:30
                        utc("2024-10-05T15:30:00Z"), // 02:00 skipped -> the change (02:30 +11:00), 02:15 and 02:30
                        // fold into it
                        utc("2024-10-05T15:45:00Z"), // 02:45 +11:00
                        utc("2024-10-05T16:00:00Z")); // 03:00 +11:00
    }

    @Test
    void hourlyCronAcrossSpringForwardFiresEachExistingHourOnce() {
        assertThat(fires("0 * * * *", NEW_YORK, utc("2024-03-10T05:30:00Z"), 3))
                .containsExactly(
                        utc("2024-03-10T06:00:00Z"), // 01:00 EST
                        utc("2024-03-10T07:00:00Z"), // 02:00 skipped and 03:00 EDT are one instant: one fire
                        utc("2024-03-10T08:00:00Z")); // 04:00 EDT
    }

    // ---- fall back: a doubled wall-clock time fires once, at its first occurrence --------------------

    @Test
    void newYorkFallBackFiresDoubledTimeOnce() {
        // 2024-11-03 02:00 EDT -> 01:00 EST; 01:30 happens twice.
        assertThat(fires("30 1 * * *", NEW_YORK, utc("2024-11-02T00:00:00Z"), 3))
                .containsExactly(utc("2024-11-02T05:30:00Z"), utc("2024-11-03T05:30:00Z"), utc("2024-11-04T06:30:00Z"));
    }

    @Test
    void berlinFallBack() {
        // 2024-10-27 03:00 CEST -> 02:00 CET; 02:30 happens twice.
        assertThat(fires("30 2 * * *", BERLIN, utc("2024-10-26T00:00:00Z"), 3))
                .containsExactly(utc("2024-10-26T00:30:00Z"), utc("2024-10-27T00:30:00Z"), utc("2024-10-28T01:30:00Z"));
    }

    @Test
    void sydneyFallBackInApril() {
        // 2024-04-07 03:00 AEDT -> 02:00 AEST; 02:30 happens twice.
        assertThat(fires("30 2 * * *", SYDNEY, utc("2024-04-05T12:00:00Z"), 3))
                .containsExactly(utc("2024-04-05T15:30:00Z"), utc("2024-04-06T15:30:00Z"), utc("2024-04-07T16:30:00Z"));
    }

    @Test
    void hourlyCronAcrossFallBackDoesNotRepeatTheDoubledHour() {
        assertThat(fires("0 * * * *", NEW_YORK, utc("2024-11-03T03:30:00Z"), 3))
                .containsExactly(
                        utc("2024-11-03T04:00:00Z"), // 00:00 EDT
                        utc("2024-11-03T05:00:00Z"), // 01:00 EDT; 01:00 EST (06:00Z) is its repeat and does not fire
                        utc("2024-11-03T07:00:00Z")); // 02:00 EST
    }

    @Test
    void startingInsideTheRepeatedHourSkipsTheRestOfIt() {
        // 01:20 EST, the second time round: 01:30 and 01:45 already fired as EDT.
        assertThat(fires("*/15 * * * *", NEW_YORK, utc("2024-11-03T06:20:00Z"), 1))
                .containsExactly(utc("2024-11-03T07:00:00Z"));
    }

    // ---- exhaustive: every day of a year, every zone ---------------------------------------------------

    @ParameterizedTest
    @CsvSource({
        "30 2 * * *, America/New_York", "30 1 * * *, America/New_York", "30 2 * * *, Europe/Berlin",
        "30 2 * * *, Australia/Sydney", "0 3 * * *, Europe/Berlin", "45 2 * * *, Australia/Lord_Howe",
        "30 7 * * *, Asia/Tokyo", "0 0 * * *, America/Sao_Paulo"
    })
    void aDailyCronFiresExactlyOncePerCalendarDayAcrossAYear(String cron, String zoneId) {
        ZoneId zone = ZoneId.of(zoneId);
        Instant from = LocalDate.of(2024, 1, 1).atStartOfDay(zone).toInstant();
        List<Instant> f = fires(cron, zone, from, 366);
        var days = new HashSet<LocalDate>();
        for (Instant i : f) days.add(LocalDateTime.ofInstant(i, zone).toLocalDate());
        assertThat(days).hasSize(366); // 2024 is a leap year: no day skipped, none doubled
        assertStrictlyIncreasing(f);
    }

    @ParameterizedTest
    @CsvSource({
        "0 * * * *, America/New_York", "*/15 * * * *, Europe/Berlin", "*/10 * * * *, Australia/Sydney",
        "0 */2 * * *, Australia/Lord_Howe", "30 1 * * 0, America/New_York", "*/30 * * * * *, Europe/Berlin"
    })
    void nextAndLatestAgreeEverywhereAcrossChanges(String cron, String zoneId) {
        ZoneId zone = ZoneId.of(zoneId);
        var t = CronTrigger.parse(cron);
        // the months with the changes, north and south
        for (String start : List.of(
                "2024-03-09T12:00:00Z",
                "2024-03-30T12:00:00Z",
                "2024-04-06T00:00:00Z",
                "2024-10-05T00:00:00Z",
                "2024-10-26T12:00:00Z",
                "2024-11-02T12:00:00Z")) {
            Instant end = Instant.parse(start).plus(java.time.Duration.ofHours(36));
            Instant prev = t.nextAfter(Instant.parse(start), zone);
            while (prev.isBefore(end)) {
                Instant next = t.nextAfter(prev, zone);
                assertThat(next).isAfter(prev);
                assertThat(t.latestAtOrBefore(next, zone)).isEqualTo(next);
                assertThat(t.latestAtOrBefore(next.minusNanos(1), zone)).isEqualTo(prev);
                // any instant in between looks back to prev and forward to next
                Instant mid = prev.plus(java.time.Duration.between(prev, next).dividedBy(2));
                if (mid.isAfter(prev)) {
                    assertThat(t.nextAfter(mid, zone)).isEqualTo(next);
                    assertThat(t.latestAtOrBefore(mid, zone)).isEqualTo(prev);
                }
                prev = next;
            }
        }
    }

    static void assertStrictlyIncreasing(List<Instant> f) {
        for (int i = 1; i < f.size(); i++) assertThat(f.get(i)).isAfter(f.get(i - 1));
    }

    // ---- fields, seconds, macros --------------------------------------------------------------------

    @Test
    void sixFieldsHaveSeconds() {
        assertThat(fires("*/20 * * * * *", ZoneOffset.UTC, utc("2024-01-01T00:00:05Z"), 4))
                .containsExactly(
                        utc("2024-01-01T00:00:20Z"),
                        utc("2024-01-01T00:00:40Z"),
                        utc("2024-01-01T00:01:00Z"),
                        utc("2024-01-01T00:01:20Z"));
        assertThat(fires("15 30 7 * * *", ZoneId.of("Asia/Tokyo"), utc("2024-01-01T00:00:00Z"), 1))
                .containsExactly(utc("2024-01-01T22:30:15Z"));
    }

    @Test
    void secondsCronAcrossSpringForward() {
        assertThat(fires("*/20 * * * * *", NEW_YORK, utc("2024-03-10T06:59:30Z"), 3))
                .containsExactly(
                        utc("2024-03-10T06:59:40Z"), // 01:59:40 EST
                        utc("2024-03-10T07:00:00Z"), // the change: 02:00:00 … 03:00:00 fold into it
                        utc("2024-03-10T07:00:20Z")); // 03:00:20 EDT
    }

    @Test
    void fiveFieldExpressions() {
        // 07:30 on weekdays, Tokyo: 2024-01-06 is a Saturday
        assertThat(fires("30 7 * * 1-5", ZoneId.of("Asia/Tokyo"), utc("2024-01-04T23:00:00Z"), 2))
                .containsExactly(
                        utc("2024-01-07T22:30:00Z"), utc("2024-01-08T22:30:00Z")); // Mon 8th and Tue 9th, 07:30 JST
        assertThat(fires("0 9 1,15 * *", ZoneOffset.UTC, utc("2024-01-01T10:00:00Z"), 2))
                .containsExactly(utc("2024-01-15T09:00:00Z"), utc("2024-02-01T09:00:00Z"));
        assertThat(fires("0 0 * * 7", ZoneOffset.UTC, utc("2024-01-01T00:00:00Z"), 1))
                .containsExactly(utc("2024-01-07T00:00:00Z")); // 7 = Sunday
        assertThat(fires("0 0 * * SUN", ZoneOffset.UTC, utc("2024-01-01T00:00:00Z"), 1))
                .containsExactly(utc("2024-01-07T00:00:00Z"));
        // day of month and day of week both restricted: either matches, as in Vixie cron (the 13th, and Fridays)
        assertThat(fires("0 0 13 * 5", ZoneOffset.UTC, utc("2024-01-01T00:00:00Z"), 3))
                .containsExactly(utc("2024-01-05T00:00:00Z"), utc("2024-01-12T00:00:00Z"), utc("2024-01-13T00:00:00Z"));
        assertThat(fires("0 12 * JAN,JUL *", ZoneOffset.UTC, utc("2024-02-01T00:00:00Z"), 1))
                .containsExactly(utc("2024-07-01T12:00:00Z"));
    }

    @ParameterizedTest
    @CsvSource({
        "@yearly, 2025-01-01T00:00:00Z", "@annually, 2025-01-01T00:00:00Z", "@monthly, 2024-07-01T00:00:00Z",
        "@weekly, 2024-06-16T00:00:00Z", "@daily, 2024-06-13T00:00:00Z", "@midnight, 2024-06-13T00:00:00Z",
        "@hourly, 2024-06-12T11:00:00Z", "@DAILY, 2024-06-13T00:00:00Z"
    })
    void macros(String macro, String expected) {
        // 2024-06-12 is a Wednesday
        assertThat(CronTrigger.parse(macro).nextAfter(utc("2024-06-12T10:15:00Z"), ZoneOffset.UTC))
                .isEqualTo(utc(expected));
    }

    @Test
    void macrosRespectTheZone() {
        assertThat(CronTrigger.parse("@daily").nextAfter(utc("2024-06-12T10:15:00Z"), BERLIN))
                .isEqualTo(utc("2024-06-12T22:00:00Z"));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "61 * * * *|bad cron expression '61 * * * *'",
                "* * * *|has 4 field(s), expected 5",
                "* * * * * * *|has 7 field(s)",
                "@fortnightly|unknown cron macro '@fortnightly'",
                "0 25 * * *|bad cron expression '0 25 * * *'",
                "a b c d e|bad cron expression 'a b c d e'",
                "0 0 30 2 *|bad cron expression '0 0 30 2 *': it names no time that ever comes"
            })
    void badExpressionsFailWithOneLineNamingThem(String cron, String message) {
        assertThatThrownBy(() -> CronTrigger.parse(cron))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
}
