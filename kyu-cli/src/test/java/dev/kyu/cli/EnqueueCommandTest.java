package dev.kyu.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kyu.job.Job;
import dev.kyu.job.JobState;
import dev.kyu.spi.JobQuery;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashSet;
import org.junit.jupiter.api.Test;

class EnqueueCommandTest extends CliTestBase {

    @Test
    void enqueuePrintsTheIdAsJsonAndStoresTheJobWithItsOptions() {
        var r = cli.run(
                "enqueue",
                "kyu.echo",
                "--args",
                "{\"hello\": \"world\"}",
                "--queue",
                "mail",
                "--priority",
                "7",
                "--max-attempts",
                "5",
                "--meta",
                "tenant=acme",
                "--result-ttl",
                "10m",
                "--json");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        String id = r.json().get("id").asText();
        assertThat(r.json().size()).isEqualTo(1);

        Job job = kyu.admin().job(id).orElseThrow();
        assertThat(job.task()).isEqualTo("kyu.echo");
        assertThat(job.queue()).isEqualTo("mail");
        assertThat(job.priority()).isEqualTo(7);
        assertThat(job.maxAttempts()).isEqualTo(5);
        assertThat(job.state()).isEqualTo(JobState.QUEUED);
        assertThat(job.meta()).containsEntry("tenant", "acme");
        assertThat(job.resultTtl()).isEqualTo(Duration.ofMinutes(10));
        assertThat(kyu.codec().parse(job.args()).get("hello").asText()).isEqualTo("world");
    }

    @Test
    void humanOutputIsTheBareId() {
        var r = cli.run("enqueue", "kyu.noop");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(kyu.admin().job(r.out().strip())).isPresent();
    }

    @Test
    void argsCanComeFromAFile() throws Exception {
        var file = dir.resolve("args.json");
        Files.writeString(file, "{\"ms\": 5}");
        var r = cli.run("enqueue", "kyu.sleep", "--args", "@" + file, "--json");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(kyu.admin().job(r.json().get("id").asText()).orElseThrow().args())
                .isEqualTo("{\"ms\": 5}");

        // A byte-order mark some editors write is not part of the JSON.
        var bom = Files.writeString(dir.resolve("bom.json"), "\uFEFF{\"ms\": 6}");
        var withBom = cli.run("enqueue", "kyu.sleep", "--args", "@" + bom, "--json");
        assertThat(withBom.exitCode()).as(withBom.toString()).isZero();
        assertThat(kyu.admin()
                        .job(withBom.json().get("id").asText())
                        .orElseThrow()
                        .args())
                .isEqualTo("{\"ms\": 6}");
    }

    @Test
    void aUserTasksOwnDefaultsApplyWhenKyuKnowsTheTask() {
        // Named with --tasks, as for kyu worker: the job goes to the task's queue with its attempts.
        var known = cli.run(
                "enqueue",
                "test.resize",
                "--tasks",
                "dev.kyu.cli.tasks.ResizeTask",
                "--args",
                "{\"image\": \"a.png\"}",
                "--json");
        assertThat(known.exitCode()).as(known.toString()).isZero();
        Job job = kyu.admin().job(known.json().get("id").asText()).orElseThrow();
        assertThat(job.queue()).isEqualTo("images");
        assertThat(job.maxAttempts()).isEqualTo(5);
        // --queue still wins.
        var chosen = cli.run(
                "enqueue", "test.resize", "--tasks", "dev.kyu.cli.tasks.ResizeTask", "--queue", "urgent", "--json");
        assertThat(kyu.admin()
                        .job(chosen.json().get("id").asText())
                        .orElseThrow()
                        .queue())
                .isEqualTo("urgent");
    }

    @Test
    void anArgsFileThatCannotBeReadSaysWhy() throws Exception {
        record Case(String arg, String message) {}
        var latin1 = dir.resolve("latin1.json");
        Files.write(latin1, new byte[] {'"', (byte) 0xE9, '"'});
        for (var c : java.util.List.of(
                new Case("@" + dir.resolve("missing.json"), "missing.json: no such file"),
                new Case("@" + dir, "it is a folder"),
                new Case("@" + latin1, "it is not UTF-8 text"),
                new Case("@", "--args @ names no file"))) {
            var r = cli.run("enqueue", "kyu.noop", "--args", c.arg());
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.errLines()).as(r.toString()).singleElement().asString().contains(c.message());
        }
    }

    @Test
    void delayedJobsAreScheduled() {
        var r = cli.run("enqueue", "kyu.noop", "--delay", "1h", "--json");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        Job job = kyu.admin().job(r.json().get("id").asText()).orElseThrow();
        assertThat(job.state()).isEqualTo(JobState.SCHEDULED);
        assertThat(job.scheduledAt()).isAfter(job.enqueuedAt().plus(Duration.ofMinutes(59)));

        var at = cli.run("enqueue", "kyu.noop", "--at", "2099-01-01T00:00:00Z", "--json");
        assertThat(at.exitCode()).as(at.toString()).isZero();
        assertThat(kyu.admin().job(at.json().get("id").asText()).orElseThrow().scheduledAt())
                .hasToString("2099-01-01T00:00:00Z");
    }

    @Test
    void aUniqueKeyReturnsTheSameJobTwice() {
        var first = cli.run("enqueue", "kyu.noop", "--unique", "report-1", "--json");
        var second = cli.run("enqueue", "kyu.noop", "--unique", "report-1", "--json");
        assertThat(second.exitCode()).as(second.toString()).isZero();
        assertThat(second.json().get("id").asText())
                .isEqualTo(first.json().get("id").asText());
        assertThat(kyu.admin().jobs(JobQuery.all(10))).hasSize(1);
    }

    @Test
    void countEnqueuesInBatchesAndPrintsAnArrayOfIds() {
        var r = cli.run("enqueue", "kyu.noop", "--count", "500", "--queue", "bulk", "--json");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        JsonNode ids = r.json();
        assertThat(ids.isArray()).isTrue();
        assertThat(ids).hasSize(500);
        var distinct = new HashSet<String>();
        ids.forEach(n -> distinct.add(n.get("id").asText()));
        assertThat(distinct).hasSize(500);
        assertThat(kyu.broker().queueCounts("bulk").get(JobState.QUEUED)).isEqualTo(500L);
        assertThat(r.err()).contains("500/500");
    }

    @Test
    void countAboveOneBatch() {
        var r = cli.run("enqueue", "kyu.noop", "--count", "2500", "--queue", "big");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).startsWith("enqueued 2500 jobs of kyu.noop");
        assertThat(kyu.broker().queueCounts("big").get(JobState.QUEUED)).isEqualTo(2500L);
    }
}
