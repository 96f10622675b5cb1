package dev.kyu.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kyu.job.Job;
import dev.kyu.schedule.Schedule;
import dev.kyu.schedule.ScheduleAdmin;
import dev.kyu.schedule.Scheduler;
import dev.kyu.spi.JobQuery;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** {@code kyu beat}, {@code kyu worker --beat} and {@code kyu inspect schedules}. */
class BeatCommandTest extends CliTestBase {

    Path file(String yaml) throws Exception {
        Path f = dir.resolve("schedules.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    void badFile(String yaml, String... lines) throws Exception {
        var r = cli.run("beat", "--schedule", file(yaml).toString());
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.errLines()).as(r.toString()).containsExactly(lines);
        assertThat(r.out()).isEmpty();
        assertThat(kyu.admin().jobs(JobQuery.all(10))).isEmpty();
        assertThat(new ScheduleAdmin(kyu.broker()).list()).isEmpty(); // nothing started, nothing published
    }

    @Test
    void aTypoInTheFileIsOneLineNamingScheduleAndFieldWithExitCode2() throws Exception {
        badFile(
                "schedules:\n  report:\n    task: reports.run\n    cron: \"30 7 * * *\"\n    zome: Asia/Tokyo\n",
                "kyu: schedules.yaml: schedule 'report', field 'zome': unknown field (did you mean 'zone'?); known fields: "
                        + "task, args, cron, every, zone, queue, priority, maxAttempts, timeout, backoff, delay, meta, missedTicks, catchUpLimit, overlap");
    }

    @Test
    void aBadCronAndAnUnknownZoneAreEachOneLine() throws Exception {
        badFile(
                "schedules:\n  a:\n    task: t.a\n    cron: \"0 25 * * *\"\n  b:\n    task: t.b\n    every: 1m\n    zone: Europe/Paname\n",
                "kyu: schedules.yaml: schedule 'a', field 'cron': bad cron expression '0 25 * * *': Failed to parse cron expression. Value 25 not in range [0, 23]",
                "kyu: schedules.yaml: schedule 'b', field 'zone': unknown time zone 'Europe/Paname': expected an IANA name such as Europe/Berlin, America/New_York or UTC");
    }

    @Test
    void checkValidatesWithoutRunning() throws Exception {
        var r = cli.run(
                "beat",
                "--schedule",
                file("schedules:\n  a:\n    task: kyu.noop\n    every: 1h\n").toString(),
                "--check");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("1 schedule(s) OK: a\n");
        var none = cli.run("beat");
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.errLines()).singleElement().asString().startsWith("kyu: no schedules: give --schedule FILE");
    }

    @Test
    void beatRunsUntilStoppedAndInspectListsItsSchedules() throws Exception {
        Path f = file(
                "schedules:\n  tick:\n    task: kyu.noop\n    every: 1s\n    queue: beats\n  nightly:\n    task: kyu.noop\n    cron: \"30 2 * * *\"\n    zone: Europe/Berlin\n");
        var result = new AtomicReference<CliRunner.Result>();
        Thread beat = new Thread(() -> result.set(cli.run("beat", "--schedule", f.toString())), "test-beat");
        beat.start();
        try {
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> kyu.admin()
                                    .jobs(JobQuery.all(100).withQueue("beats"))
                                    .size()
                            >= 2);
        } finally {
            beat.interrupt();
            beat.join(30_000);
        }
        assertThat(result.get().exitCode()).as(String.valueOf(result.get())).isZero();
        List<Job> jobs = kyu.admin().jobs(JobQuery.all(100).withQueue("beats"));
        assertThat(jobs).allSatisfy(j -> assertThat(j.uniqueKey()).startsWith("kyu:schedule:tick:"));

        var json = cli.run("inspect", "schedules", "--json");
        assertThat(json.exitCode()).as(json.toString()).isZero();
        JsonNode arr = json.json();
        assertThat(arr).hasSize(2);
        assertThat(arr.get(0).get("name").asText()).isEqualTo("nightly");
        assertThat(arr.get(0).get("cron").asText()).isEqualTo("30 2 * * *");
        assertThat(arr.get(0).get("zone").asText()).isEqualTo("Europe/Berlin");
        assertThat(arr.get(0).get("paused").asBoolean()).isFalse();
        assertThat(arr.get(0).get("nextFireAt").asText()).isNotEmpty();
        assertThat(arr.get(1).get("name").asText()).isEqualTo("tick");
        assertThat(arr.get(1).get("every").asText()).isEqualTo("1s");
        assertThat(arr.get(1).get("zone").asText())
                .as("the default zone, by the name the docs give it")
                .isEqualTo("UTC");
        assertThat(arr.get(1).get("lastFireAt").isNull()).isFalse();
        assertThat(arr.get(1).get("lastJobId").asText())
                .isIn(jobs.stream().map(Job::id).toList());

        var table = cli.run("inspect", "schedules");
        assertThat(table.out().lines().findFirst().orElseThrow())
                .startsWith("NAME")
                .contains("NEXT FIRE");
        assertThat(table.out()).contains("every 1s").contains("cron \"30 2 * * *\"");
    }

    @Test
    void workerWithBeatRunsTheStoredSchedules() throws Exception {
        // a schedule published by another scheduler process (as `kyu beat --schedule` does at start)
        Scheduler.builder(kyu)
                .schedules(List.of(
                        Schedule.builder("stored", "kyu.noop").every("1s").build()))
                .build()
                .publish();
        var result = new AtomicReference<CliRunner.Result>();
        Thread worker = new Thread(() -> result.set(cli.run("worker", "--beat", "--queues", "default")), "test-worker");
        worker.start();
        try {
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> kyu.admin().jobs(JobQuery.all(100)).stream()
                                    .filter(j -> "stored".equals(j.meta().get("kyu.schedule"))
                                            && j.state().isTerminal())
                                    .count()
                            >= 2);
        } finally {
            worker.interrupt();
            worker.join(30_000);
        }
        assertThat(result.get().exitCode()).as(String.valueOf(result.get())).isZero();
    }

    @Test
    void inspectSchedulesOnAnEmptyBroker() {
        assertThat(cli.run("inspect", "schedules", "--json").json()).isEmpty();
        assertThat(cli.run("inspect", "schedules").out()).startsWith("no schedules on ");
    }
}
