package dev.kyu.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kyu.spi.JobQuery;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every bad input ends with exit code 2, one line on stderr naming the fault, and the stored jobs intact. */
class BadInputTest extends CliTestBase {
    private String existing;

    @BeforeEach
    void oneStoredJob() {
        existing = kyu.enqueueJson("kyu.noop", "{}", null).id();
    }

    private CliRunner.Result usageError(CliRunner.Result r, String... mentions) {
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.errLines()).as(r.toString()).hasSize(1);
        assertThat(r.err()).startsWith("kyu: ").doesNotContain("\tat ").doesNotContain("Exception");
        for (String m : mentions) assertThat(r.err()).contains(m);
        assertThat(r.out()).isEmpty();
        assertThat(kyu.admin().jobs(JobQuery.all(100))).extracting(j -> j.id()).containsExactly(existing);
        return r;
    }

    @Test
    void malformedArgs() {
        usageError(cli.run("enqueue", "kyu.echo", "--args", "{not json"), "not valid JSON");
    }

    @Test
    void unknownBrokerScheme() {
        usageError(CliRunner.runRaw("--broker", "mysql://localhost/kyu", "inspect", "queues"), "mysql://localhost/kyu");
    }

    @Test
    void aBrokerInsideOneProcessIsRefusedByCommandsThatActOnSharedJobs() {
        usageError(
                CliRunner.runRaw("--broker", "memory:", "enqueue", "kyu.noop"),
                "kyu enqueue needs a broker that other processes share",
                "memory:");
        usageError(CliRunner.runRaw("--broker", "MEMORY:", "inspect", "queues"), "kyu inspect queues needs a broker");
        usageError(CliRunner.runRaw("--broker", "sqlite::memory:", "cancel", existing), "kyu cancel needs a broker");
    }

    @Test
    void sqlitePathInAFolderThatDoesNotExist() {
        usageError(
                CliRunner.runRaw("--broker", "sqlite:" + dir.resolve("no/such/folder/kyu.db"), "enqueue", "kyu.noop"),
                "does not exist");
    }

    @Test
    void payloadOverTheLimit() {
        String big = "{\"data\": \"" + "x".repeat(1024 * 1024 + 10) + "\"}";
        // Just over the limit, and the message shows that it is over (not "1.0 MiB over 1.0 MiB").
        usageError(
                cli.run("enqueue", "kyu.echo", "--args", big),
                "are 1.00 MiB (1,048,598 bytes), over the limit of 1.00 MiB (1,048,576 bytes)");
    }

    @Test
    void optionsAreNamedAsTheUserTypedThem() {
        usageError(cli.run("enqueue", "kyu.noop", "--max-attempts", "0"), "--max-attempts must be at least 1, was 0");
        usageError(
                cli.run("enqueue", "kyu.noop", "--timeout-per-attempt", "0s"),
                "--timeout-per-attempt must be positive, was 0s");
        usageError(cli.run("enqueue", "kyu.noop", "--unique", " "), "--unique must not be blank");
        usageError(cli.run("enqueue", "kyu.noop", "--result-ttl", "0s"), "--result-ttl must be positive, was 0s");
        usageError(cli.run("enqueue", "kyu.noop", "--result-ttl", "36501d"), "at most 36500d (100 years)");
    }

    @Test
    void timeoutWithoutWaitPointsAtTheOptionMeant() {
        usageError(
                cli.run("enqueue", "kyu.noop", "--timeout", "5s"),
                "--timeout goes with --wait",
                "--timeout-per-attempt");
    }

    @Test
    void badDelay() {
        usageError(cli.run("enqueue", "kyu.noop", "--delay", "soon"), "soon");
    }

    @Test
    void delayAndAtTogether() {
        usageError(
                cli.run("enqueue", "kyu.noop", "--delay", "1s", "--at", "2030-01-01T00:00:00Z"), "mutually exclusive");
    }

    @Test
    void badAt() {
        usageError(cli.run("enqueue", "kyu.noop", "--at", "tomorrow"), "tomorrow");
    }

    @Test
    void unknownState() {
        usageError(cli.run("inspect", "jobs", "--state", "DONE"), "DONE");
    }

    @Test
    void badTaskName() {
        usageError(cli.run("enqueue", "no spaces allowed"), "bad task name");
    }

    @Test
    void anUnknownCommandIsCalledThatAndTheKnownOnesAreNamed() {
        var top =
                usageError(CliRunner.runRaw("bogus"), "unknown command 'bogus': expected one of worker, beat, enqueue");
        assertThat(top.err()).doesNotContain("help,");
        usageError(
                cli.run("inspect", "bogus"),
                "unknown command 'bogus': expected one of queues, workers, jobs, schedules");
        var exclusive = usageError(
                cli.run("enqueue", "kyu.noop", "--delay", "1s", "--at", "2030-01-01T00:00:00Z"), "mutually exclusive");
        assertThat(exclusive.err()).doesNotContain("Error:");
        assertThat(usageError(cli.run("enqueue", "kyu.noop", "--meta", "novalue"), "--meta")
                        .err())
                .doesNotContain("option option");
    }

    @Test
    void aBadCursorOrACursorWithAnOffsetIsAUsageError() {
        usageError(cli.run("inspect", "jobs", "--after", "nope"), "--after takes a job id (a UUID)", "'nope'");
        usageError(
                cli.run("inspect", "jobs", "--after", existing, "--offset", "0"),
                "--after and --offset both page a listing: give one, not both");
        usageError(cli.run("inspect", "workflows", "--after", "nope"), "--after takes a job id");
        usageError(cli.run("inspect", "workflows", "--after", existing, "--offset", "2"), "not both");
    }

    @Test
    void badQueueNameIsCalledAQueueName() {
        usageError(cli.run("enqueue", "kyu.noop", "--queue", "bad queue"), "bad queue name 'bad queue'");
        usageError(cli.run("pause", ""), "bad queue name ''");
        usageError(cli.run("inspect", "jobs", "--queue", "bad queue"), "bad queue name 'bad queue'");
        usageError(cli.run("worker", "--queues", "ok,bad queue"), "bad queue name 'bad queue'");
    }

    @Test
    void badJobId() {
        usageError(cli.run("job", "42"), "bad job id '42'");
        usageError(cli.run("cancel", "nope"), "bad job id 'nope'");
    }

    @Test
    void unknownOptionAndMissingArgument() {
        usageError(cli.run("enqueue", "kyu.noop", "--colour", "red"), "--colour");
        usageError(cli.run("enqueue"), "TASK");
        usageError(cli.run("frobnicate"), "frobnicate");
        usageError(cli.run(), "name a command");
    }

    @Test
    void notANumber() {
        usageError(cli.run("enqueue", "kyu.noop", "--priority", "high"), "high");
        usageError(cli.run("enqueue", "kyu.noop", "--max-attempts", "x"), "--max-attempts", "x");
    }

    @Test
    void retryNeedsIdsOrFailed() {
        usageError(cli.run("retry"), "neither");
        usageError(cli.run("retry", existing, "--failed"), "both");
    }

    @Test
    void badWorkerOptions() {
        usageError(cli.run("worker", "--concurrency", "0"), "concurrency");
        usageError(cli.run("worker", "--weights", "a=0"), "weight");
        usageError(cli.run("worker", "--tasks", "com.example.Missing"), "com.example.Missing");
        usageError(cli.run("worker", "--tasks", "java.lang.String"), "neither");
        usageError(cli.run("worker", "--lease", "1ms"), "leaseDuration must be at least 1s, was 1ms");
        usageError(
                cli.run("worker", "--isolated", "kyu.noop", "--isolated-children", "0"),
                "isolated children must be 1..1000, was 0");
        usageError(cli.run("worker", "--isolated-children", "2"), "--isolated-children needs --isolated");
        usageError(cli.run("worker", "--isolated", "bad name"), "bad task name");
        assertThat(kyu.admin().workers())
                .as("a worker refused its options never registered")
                .isEmpty();
    }

    @Test
    void helpAndVersionExitZero() {
        var help = CliRunner.runRaw("enqueue", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("--delay").contains("Examples");
        var version = CliRunner.runRaw("--version");
        assertThat(version.exitCode()).isZero();
        assertThat(version.out()).startsWith("kyu ");
        for (String c :
                new String[] {"worker", "inspect", "job", "retry", "cancel", "purge", "pause", "resume", "demo"}) {
            assertThat(CliRunner.runRaw(c, "--help").exitCode()).as(c).isZero();
        }
    }
}
