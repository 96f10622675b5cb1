package dev.kyu.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code enqueue --wait}: exit 0 when the job succeeded, 1 when it failed, was cancelled or did not finish. */
class WaitTest extends CliTestBase {

    @Test
    void aSucceededJobExitsZeroAndPrintsItsResult() {
        startWorker("default");
        var r = cli.run("enqueue", "kyu.echo", "--args", "{\"n\": 42}", "--wait", "--timeout", "30s", "--json");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.json().get("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(r.json().get("result").get("n").asInt()).isEqualTo(42);
    }

    @Test
    void aFailedJobExitsOneWithOneLine() {
        startWorker("default");
        var r = cli.run("enqueue", "kyu.fail", "--args", "{\"message\": \"boom\"}", "--max-attempts", "1", "--wait");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).startsWith("kyu: job ").contains("FAILED").contains("boom");
        assertThat(r.out()).contains("FAILED");
    }

    @Test
    void waitingForManyReportsAllAndFailsIfAnyFailed() {
        startWorker("default");
        var ok = cli.run("enqueue", "kyu.noop", "--count", "20", "--wait", "--json");
        assertThat(ok.exitCode()).as(ok.toString()).isZero();
        assertThat(ok.json()).hasSize(20);
        ok.json().forEach(j -> assertThat(j.get("state").asText()).isEqualTo("SUCCEEDED"));

        var bad = cli.run("enqueue", "kyu.fail", "--count", "3", "--max-attempts", "1", "--wait");
        assertThat(bad.exitCode()).as(bad.toString()).isEqualTo(1);
        assertThat(bad.err()).contains("3 of 3 jobs did not succeed");
    }

    @Test
    void aJobThatDoesNotFinishInTimeExitsOne() {
        var r = cli.run("enqueue", "kyu.noop", "--queue", "nobody-reads-this", "--wait", "--timeout", "300ms");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).contains("still QUEUED").contains("nobody-reads-this");
    }
}
