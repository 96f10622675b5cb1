package dev.kyu.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kyu.job.JobOptions;
import dev.kyu.job.JobState;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** job, retry, cancel, purge, pause and resume against a real broker. */
class ControlCommandsTest extends CliTestBase {

    private String enqueue(String task, String args, String queue, int maxAttempts) {
        return kyu.enqueueJson(
                        task,
                        args,
                        JobOptions.builder()
                                .queue(queue)
                                .maxAttempts(maxAttempts)
                                .build())
                .id();
    }

    @Test
    void jobJsonHasTheDocumentedFields() {
        String id = enqueue("kyu.echo", "{\"a\": 1}", "default", 3);
        var r = cli.run("job", id, "--json");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        var j = r.json();
        assertThat(j.get("id").asText()).isEqualTo(id);
        assertThat(j.get("task").asText()).isEqualTo("kyu.echo");
        assertThat(j.get("queue").asText()).isEqualTo("default");
        assertThat(j.get("state").asText()).isEqualTo("QUEUED");
        assertThat(j.get("attempt").asInt()).isZero();
        assertThat(j.get("maxAttempts").asInt()).isEqualTo(3);
        assertThat(j.get("args").get("a").asInt()).isEqualTo(1);
        assertThat(j.has("result")).isTrue();
        assertThat(j.get("error").isNull()).isTrue();

        var human = cli.run("job", id);
        assertThat(human.exitCode()).isZero();
        assertThat(human.out()).contains("state        QUEUED").contains("kyu.echo");

        // An id pasted in capitals names the same job.
        var upper = cli.run("job", id.toUpperCase(java.util.Locale.ROOT), "--json");
        assertThat(upper.exitCode()).as(upper.toString()).isZero();
        assertThat(upper.json().get("id").asText()).isEqualTo(id);
    }

    @Test
    void aJobWaitingForItsRetryShowsWhenItLastStarted() {
        var h = kyu.enqueueJson(
                "kyu.fail",
                "{\"message\": \"no\"}",
                dev.kyu.job.JobOptions.builder()
                        .queue("retries")
                        .maxAttempts(2)
                        .backoff(dev.kyu.job.Backoff.fixed(java.time.Duration.ofHours(1)))
                        .build());
        startWorker("retries");
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(20))
                .until(() -> kyu.admin().job(h.id()).orElseThrow().state() == dev.kyu.job.JobState.SCHEDULED);
        var human = cli.run("job", h.id());
        assertThat(human.exitCode()).as(human.toString()).isZero();
        assertThat(human.out())
                .contains("state        SCHEDULED")
                .contains("\nlast started ")
                .doesNotContain("\nstarted ");
    }

    @Test
    void anUnknownJobExitsOne() {
        var r = cli.run("job", "01890a5d-ac96-774b-bcce-b302099a8057");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.errLines()).containsExactly("kyu: no job with id 01890a5d-ac96-774b-bcce-b302099a8057");
    }

    @Test
    void cancelWaitingJobs() {
        String a = enqueue("kyu.noop", "{}", "default", 1);
        String b = enqueue("kyu.noop", "{}", "default", 1);
        var r = cli.run("cancel", a, b, "--json");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.json()).hasSize(2);
        assertThat(r.json().get(0).get("result").asText()).isEqualTo("CANCELLED");
        assertThat(kyu.admin().job(a).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
        assertThat(kyu.admin().job(b).orElseThrow().state()).isEqualTo(JobState.CANCELLED);

        var again = cli.run("cancel", a);
        assertThat(again.out()).contains("ALREADY_FINISHED");
    }

    @Test
    void retryByIdAndAllFailedOfAQueue() {
        startWorker("mail", "default");
        String m1 = enqueue("kyu.fail", "{}", "mail", 1);
        String m2 = enqueue("kyu.fail", "{}", "mail", 1);
        String d1 = enqueue("kyu.fail", "{}", "default", 1);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> List.of(m1, m2, d1).stream()
                        .allMatch(id -> kyu.admin().job(id).orElseThrow().state() == JobState.FAILED));
        // Pause both queues so that retried jobs stay visible as QUEUED.
        assertThat(cli.run("pause", "mail").exitCode()).isZero();
        assertThat(cli.run("pause", "default").exitCode()).isZero();

        var one = cli.run("retry", d1, "--json");
        assertThat(one.exitCode()).as(one.toString()).isZero();
        assertThat(one.json().get("retried").asInt()).isEqualTo(1);
        assertThat(kyu.admin().job(d1).orElseThrow().state()).isEqualTo(JobState.QUEUED);

        var left = cli.run("retry", d1, "01a21d43-0000-7000-8000-000000000000");
        assertThat(left.exitCode()).as("an id with no job fails the command").isEqualTo(1);
        assertThat(left.out())
                .startsWith("0 of 2 job(s) back in their queue")
                .contains(d1 + "  QUEUED (only FAILED or CANCELLED jobs are retried)")
                .contains("01a21d43-0000-7000-8000-000000000000  NOT_FOUND");

        var all = cli.run("retry", "--failed", "--queue", "mail");
        assertThat(all.exitCode()).as(all.toString()).isZero();
        assertThat(all.out()).startsWith("2 failed job(s) back in queue mail");
        assertThat(kyu.admin().job(m1).orElseThrow().state()).isEqualTo(JobState.QUEUED);
        assertThat(kyu.admin().job(m2).orElseThrow().errors()).isNotEmpty();
    }

    @Test
    void pauseStopsFetchingAndResumeStartsItAgain() {
        var paused = cli.run("pause", "reports");
        assertThat(paused.exitCode()).isZero();
        assertThat(paused.out()).contains("queue reports paused");
        var q = cli.run("inspect", "queues", "--json");
        assertThat(q.json().get(0).get("queue").asText()).isEqualTo("reports");
        assertThat(q.json().get(0).get("paused").asBoolean()).isTrue();

        startWorker("reports");
        String id = enqueue("kyu.noop", "{}", "reports", 1);
        await().during(Duration.ofMillis(500))
                .atMost(Duration.ofSeconds(5))
                .until(() -> kyu.admin().job(id).orElseThrow().state() == JobState.QUEUED);

        assertThat(cli.run("resume", "reports").exitCode()).isZero();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> kyu.admin().job(id).orElseThrow().state() == JobState.SUCCEEDED);
    }

    @Test
    void purgeDeletesWaitingJobsOfOneQueue() {
        for (int i = 0; i < 3; i++) enqueue("kyu.noop", "{}", "low", 1);
        String other = enqueue("kyu.noop", "{}", "high", 1);
        var r = cli.run("purge", "low", "--json");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.json().get("purged").asInt()).isEqualTo(3);
        assertThat(kyu.broker().queueCounts("low").get(JobState.QUEUED)).isZero();
        assertThat(kyu.admin().job(other)).isPresent();
    }
}
