package dev.kyu.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kyu.KyuException;
import dev.kyu.job.Backoff;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The schedule file: a full example read back, and every kind of mistake reported as one line naming schedule and field. */
class ScheduleFileTest {

    static final String EXAMPLE = """
            schedules:
              morning-report:
                task: reports.morning
                cron: "30 7 * * 1-5"
                zone: Asia/Tokyo
                args: {team: sales, formats: [pdf, csv]}
                queue: reports
                priority: 5
                maxAttempts: 3
                timeout: 10m
                backoff: exp:10s:5m
                meta: {owner: finance}
                missedTicks: catch-up
                catchUpLimit: 3
                overlap: skip
              cache-refresh:
                task: cache.refresh
                every: 5m
                missedTicks: skip
              nightly-cleanup:
                task: maintenance.cleanup
                cron: "@daily"
                zone: Europe/Berlin
                delay: 30s
              heartbeat:
                task: kyu.noop
                cron: "*/10 * * * * *"
            """;

    static ScheduleFileException failure(String yaml) {
        try {
            ScheduleFile.parse(yaml, "schedules.yaml");
        } catch (ScheduleFileException e) {
            for (String line : e.problems())
                assertThat(line).doesNotContain("\n").startsWith("schedules.yaml: ");
            assertThat(e.getMessage()).doesNotContain("\n");
            return e;
        }
        throw new AssertionError("expected the file to be refused");
    }

    @Test
    void readsTheFullExample(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("schedules.yaml");
        Files.writeString(file, EXAMPLE);
        List<Schedule> all = ScheduleFile.load(file);
        assertThat(all)
                .extracting(Schedule::name)
                .containsExactly("morning-report", "cache-refresh", "nightly-cleanup", "heartbeat");

        Schedule m = all.get(0);
        assertThat(m.task()).isEqualTo("reports.morning");
        assertThat(m.trigger()).isEqualTo(CronTrigger.parse("30 7 * * 1-5"));
        assertThat(m.zone()).isEqualTo(ZoneId.of("Asia/Tokyo"));
        assertThat(m.argsJson()).isEqualTo("{\"team\":\"sales\",\"formats\":[\"pdf\",\"csv\"]}");
        assertThat(m.options().queue()).isEqualTo("reports");
        assertThat(m.options().priority()).isEqualTo(5);
        assertThat(m.options().maxAttempts()).isEqualTo(3);
        assertThat(m.options().timeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(m.options().backoff()).isEqualTo(Backoff.exponential(Duration.ofSeconds(10), Duration.ofMinutes(5)));
        assertThat(m.options().meta()).containsEntry("owner", "finance");
        assertThat(m.missedTicks()).isEqualTo(MissedTickPolicy.CATCH_UP);
        assertThat(m.catchUpLimit()).isEqualTo(3);
        assertThat(m.overlap()).isEqualTo(OverlapPolicy.SKIP);

        Schedule c = all.get(1);
        assertThat(c.trigger()).isEqualTo(new IntervalTrigger(Duration.ofMinutes(5)));
        assertThat(c.zone()).isEqualTo(ZoneId.of("UTC").normalized());
        assertThat(c.missedTicks()).isEqualTo(MissedTickPolicy.SKIP);
        assertThat(c.overlap()).isEqualTo(OverlapPolicy.ALLOW);
        assertThat(c.argsJson()).isEqualTo("null");
        assertThat(all.get(2).options().delay()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void aFieldNameTypoNamesScheduleAndFieldAndSuggestsTheRightOne() {
        var e = failure("""
                schedules:
                  morning-report:
                    task: reports.morning
                    crn: "30 7 * * *"
                """);
        assertThat(e.problems()).hasSize(2);
        assertThat(e.problems().get(0))
                .isEqualTo(
                        "schedules.yaml: schedule 'morning-report', field 'crn': unknown field (did you mean 'cron'?); "
                                + "known fields: " + String.join(", ", ScheduleFields.FIELDS));
        assertThat(e.problems().get(1)).startsWith("schedules.yaml: schedule 'morning-report', field 'cron': missing");
    }

    @Test
    void aBadCronNamesScheduleAndField() {
        var e = failure("""
                schedules:
                  nightly:
                    task: maintenance.cleanup
                    cron: "61 2 * * *"
                """);
        assertThat(e.problems())
                .singleElement()
                .asString()
                .startsWith("schedules.yaml: schedule 'nightly', field 'cron': bad cron expression '61 2 * * *'");
        assertThat(e)
                .isInstanceOf(KyuException.InvalidInput.class)
                .hasMessage(e.problems().get(0));
    }

    @Test
    void anUnknownTimeZoneNamesScheduleAndField() {
        var e = failure("""
                schedules:
                  morning-report:
                    task: reports.morning
                    cron: "30 7 * * *"
                    zone: Asia/Tokio
                """);
        assertThat(e.problems())
                .containsExactly(
                        "schedules.yaml: schedule 'morning-report', field 'zone': unknown time zone 'Asia/Tokio': "
                                + "expected an IANA name such as Europe/Berlin, America/New_York or UTC");
    }

    @Test
    void everyProblemInTheFileIsReportedAtOnce() {
        var e = failure("""
                schedules:
                  a:
                    task: t.a
                    every: 5 minutes
                    priority: high
                  b:
                    task: t.b
                    cron: "0 * * * *"
                    every: 1h
                  c:
                    cron: "0 * * * *"
                    missedTicks: sometimes
                    overlap: never
                    catchUpLimit: 0
                  d:
                    task: "bad task name!"
                    cron: "@hourly"
                    zone: "Mars/Olympus"
                  ok:
                    task: t.ok
                    every: 30s
                """);
        assertThat(e.problems())
                .containsExactly(
                        "schedules.yaml: schedule 'a', field 'priority': expected a whole number, was 'high'",
                        "schedules.yaml: schedule 'a', field 'every': bad duration '5 minutes': expected e.g. 250ms, 10s, 5m, 2h, 1d or PT10S",
                        "schedules.yaml: schedule 'b', field 'every': set either cron or every, not both",
                        "schedules.yaml: schedule 'c', field 'task': missing",
                        "schedules.yaml: schedule 'c', field 'missedTicks': unknown missed-tick policy 'sometimes': expected one of skip, fire-once, catch-up",
                        "schedules.yaml: schedule 'c', field 'overlap': unknown overlap policy 'never': expected allow or skip",
                        "schedules.yaml: schedule 'd', field 'task': bad task name 'bad task name!': use 1-200 letters, digits, '_', '.', ':' or '-'",
                        "schedules.yaml: schedule 'd', field 'zone': unknown time zone 'Mars/Olympus': expected an IANA name such as Europe/Berlin, America/New_York or UTC");
        assertThat(e.getMessage()).startsWith("8 problems: schedules.yaml: schedule 'a', field 'priority'");
    }

    @Test
    void catchUpLimitOutOfRange() {
        var e = failure("""
                schedules:
                  c:
                    task: t.c
                    every: 1m
                    catchUpLimit: 0
                """);
        assertThat(e.problems())
                .containsExactly(
                        "schedules.yaml: schedule 'c', field 'catchUpLimit': must be between 1 and 1000, was 0");
    }

    @Test
    void aScheduleDefinedTwiceIsAnError() {
        var e = failure("""
                schedules:
                  a:
                    task: t.a
                    every: 1m
                  a:
                    task: t.b
                    every: 2m
                """);
        assertThat(e.problems())
                .singleElement()
                .asString()
                .startsWith("schedules.yaml: line 5, column 3: not valid YAML: found duplicate key a");
    }

    @Test
    void brokenYamlAndWrongShapes() {
        assertThat(failure("schedules:\n  a:\n    task: t\n    cron: */5 * * * *\n")
                        .problems())
                .singleElement()
                .asString()
                .contains("schedules.yaml: line 4")
                .contains("quote values that start with * or @");
        assertThat(failure("jobs:\n  a: {}\n").problems())
                .containsExactly("schedules.yaml: expected a map with the key 'schedules' at the top");
        assertThat(failure("schedules:\n  a: t.a\n").problems())
                .containsExactly(
                        "schedules.yaml: schedule 'a': expected a map of fields (task, cron or every, …), was 't.a'");
        assertThat(failure("schedules:\n  'bad name':\n    task: t\n    every: 1m\n")
                        .problems())
                .containsExactly(
                        "schedules.yaml: bad schedule name 'bad name': use 1-100 letters, digits, '_', '.' or '-'");
        assertThat(failure("schedules:\n  a:\n    task: t\n    every: 1m\n    runAt: now\n")
                        .problems())
                .singleElement()
                .asString()
                .startsWith("schedules.yaml: schedule 'a', field 'runAt': unknown field");
    }

    @Test
    void aMissingFileIsOneLine(@TempDir Path dir) {
        assertThatThrownBy(() -> ScheduleFile.load(dir.resolve("nope.yaml")))
                .isInstanceOf(ScheduleFileException.class)
                .hasMessageStartingWith(dir.resolve("nope.yaml") + ": cannot read schedule file");
    }

    @Test
    void theExampleInTheDocsIsValid() throws Exception {
        Path doc = Path.of("..", "docs", "scheduling.md");
        String md = Files.readString(doc);
        int start = md.indexOf("```yaml\n") + "```yaml\n".length();
        String yaml = md.substring(start, md.indexOf("```", start));
        assertThat(ScheduleFile.parse(yaml, "scheduling.md"))
                .extracting(Schedule::name)
                .containsExactly("morning-report", "cache-refresh", "nightly-cleanup", "heartbeat");
    }

    @Test
    void anEmptyScheduleListIsFine() {
        assertThat(ScheduleFile.parse("schedules:\n", "s.yaml")).isEmpty();
    }
}
