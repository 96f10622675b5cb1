package dev.kyu.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kyu.job.Job;
import dev.kyu.job.JobState;
import dev.kyu.spi.JobQuery;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** {@code kyu enqueue TASK --stdin} and {@code --jsonl FILE}: one job per line, checked whole, stored in batches. */
class EnqueueBulkTest extends CliTestBase {

    @Test
    void eachLineIsOneJobsArgsAndTheOptionsApplyToAll() {
        var r = withStdin(
                "{\"n\": 1}\n\n{\"n\": 2}\r\n[3]\n",
                () -> cli.run("enqueue", "kyu.echo", "--stdin", "--queue", "mail", "--priority", "4", "--json"));
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.json().isArray()).isTrue();
        assertThat(r.json()).hasSize(3);

        var args = new ArrayList<String>();
        for (JsonNode idNode : r.json()) {
            Job job = kyu.admin().job(idNode.get("id").asText()).orElseThrow();
            assertThat(job.task()).isEqualTo("kyu.echo");
            assertThat(job.queue()).isEqualTo("mail");
            assertThat(job.priority()).isEqualTo(4);
            assertThat(job.state()).isEqualTo(JobState.QUEUED);
            args.add(job.args());
        }
        // In line order, each as written (the blank line skipped, the \r dropped).
        assertThat(args).containsExactly("{\"n\": 1}", "{\"n\": 2}", "[3]");
    }

    @Test
    void aBadLineRefusesTheWholeInputNamingItsLineAndStoresNothing() throws Exception {
        String good =
                IntStream.range(0, 1500).mapToObj(i -> "{\"i\": " + i + "}\n").collect(Collectors.joining());
        var r = withStdin(good + "{\"i\": oops}\n" + "{\"i\": 2}\n", () -> cli.run("enqueue", "kyu.echo", "--stdin"));
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.errLines().get(0))
                .startsWith("kyu: line 1501 of stdin: ")
                .contains("not valid JSON")
                .contains("nothing was stored");
        assertThat(kyu.admin().jobs(JobQuery.all(10))).isEmpty();

        // Invalid UTF-8 is refused the same way, by line, from a file as from stdin.
        Path file = dir.resolve("jobs.jsonl");
        Files.write(
                file,
                concat("{\"s\": \"ok\"}\n".getBytes(StandardCharsets.UTF_8), new byte[] {'"', (byte) 0xE9, '"', '\n'}));
        var latin1 = cli.run("enqueue", "kyu.echo", "--jsonl", file.toString());
        assertThat(latin1.exitCode()).as(latin1.toString()).isEqualTo(2);
        assertThat(latin1.errLines())
                .containsExactly("kyu: line 2 of " + file + ": not valid UTF-8; nothing was stored");
        assertThat(kyu.admin().jobs(JobQuery.all(10))).isEmpty();
    }

    @Test
    void aLargeInputIsStoredInBatchesWithProgressOnStderr() throws Exception {
        Path file = dir.resolve("big.jsonl");
        Files.writeString(
                file,
                IntStream.range(0, 2500).mapToObj(i -> "{\"i\": " + i + "}").collect(Collectors.joining("\n")));
        var r = cli.run("enqueue", "kyu.echo", "--jsonl", file.toString(), "--queue", "big");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).startsWith("enqueued 2500 jobs of kyu.echo: ");
        assertThat(kyu.broker().queueCounts("big").get(JobState.QUEUED)).isEqualTo(2500L);
        // A progress line per batch of 1,000 reached (at 40 %, 80 %, 100 %), not one per job.
        assertThat(r.errLines()).isNotEmpty().allMatch(l -> l.startsWith("enqueue"));
        assertThat(r.errLines().getLast()).contains("2500/2500");
        // Every line stored once.
        var seen = kyu.admin().jobs(new JobQuery(null, "big", null, null, 10_000, 0)).stream()
                .map(j -> kyu.codec().parse(j.args()).get("i").asInt())
                .collect(Collectors.toSet());
        assertThat(seen).hasSize(2500).contains(0, 999, 1000, 2499);
    }

    @Test
    void optionsThatContradictTheInputAreRefused() {
        for (var c : List.of(
                List.of("--stdin", "--args", "{}"),
                List.of("--stdin", "--count", "2"),
                List.of("--stdin", "--unique", "k"),
                List.of("--stdin", "--jsonl", "-"))) {
            var args = new ArrayList<>(List.of("enqueue", "kyu.noop"));
            args.addAll(c);
            var r = withStdin("{}\n", () -> cli.run(args.toArray(String[]::new)));
            assertThat(r.exitCode()).as(c + ": " + r).isEqualTo(2);
            assertThat(r.errLines()).as(c.toString()).hasSize(1);
        }
        assertThat(kyu.admin().jobs(JobQuery.all(10))).isEmpty();
    }

    @Test
    void anEmptyInputStoresNothingAndSaysSo() {
        var r = withStdin("\n\n", () -> cli.run("enqueue", "kyu.noop", "--stdin", "--json"));
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.json().isArray()).isTrue();
        assertThat(r.json()).isEmpty();
    }

    /** Runs with {@code text} as the process's standard input; the command reads System.in as kyu does. */
    private static CliRunner.Result withStdin(String text, java.util.function.Supplier<CliRunner.Result> run) {
        InputStream saved = System.in;
        System.setIn(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
        try {
            return run.get();
        } finally {
            System.setIn(saved);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
