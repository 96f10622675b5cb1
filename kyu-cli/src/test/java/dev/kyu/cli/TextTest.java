package dev.kyu.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kyu.client.JobHandle;
import dev.kyu.codec.JsonCodec;
import dev.kyu.job.Job;
import dev.kyu.job.JobOptions;
import dev.kyu.job.JobState;
import dev.kyu.spi.JobQuery;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Text in and out of the command line (docs/cli.md, "Text"): arguments are UTF-8 whatever the locale and
 * bytes that are not UTF-8 are refused; text from jobs is printed escaped, never played on the terminal;
 * {@code --json} stays exact.
 */
class TextTest extends CliTestBase {
    /** Control characters, a line break, a bidi override, a C1 CSI and a lone surrogate: what a hostile job may hold. */
    private static final String HOSTILE = "x\u001b[2J\nFAKE LINE\u202e \u009b31m \ud800 é";

    // ---- arguments: a real JVM started with raw bytes on its command line ----

    @Test
    void underTheCLocaleNonAsciiArgumentsAreReadAsUtf8() throws Exception {
        var r = kyuProcess(
                "C", "enqueue kyu.echo --args '{\"s\":\"é ✓\"}' --queue \"$(printf 'caf\\303\\251')\" --json");
        assertThat(r.exitCode).as(r.toString()).isEqualTo(2); // é is no queue name: refused, and named as typed
        assertThat(r.err).contains("bad queue name 'café'");

        r = kyuProcess("C", "enqueue kyu.echo --args '{\"s\":\"é ✓\"}' --unique 'clé' --json");
        assertThat(r.exitCode).as(r.toString()).isZero();
        String id = JsonCodec.shared().parse(r.out).get("id").asText();
        Job stored = kyu.admin().job(id).orElseThrow();
        assertThat(stored.args()).isEqualTo("{\"s\":\"é ✓\"}");
        assertThat(stored.uniqueKey()).isEqualTo("clé");

        // and printed as UTF-8 under the same locale, not as '?'
        r = kyuProcess("C", "job " + id);
        assertThat(r.exitCode).as(r.toString()).isZero();
        assertThat(r.out).contains("args         {\"s\":\"é ✓\"}").contains("unique key   clé");
    }

    @Test
    void argumentsThatAreNotUtf8AreRefusedAndNothingIsStored() throws Exception {
        for (String locale : new String[] {"C.UTF-8", "C"}) {
            var r = kyuProcess(locale, "enqueue kyu.echo --args \"$(printf '{\"s\":\"\\377\\376\"}')\"");
            assertThat(r.exitCode).as(r.toString()).isEqualTo(2);
            assertThat(r.err.lines().toList()).as(r.toString()).hasSize(1);
            assertThat(r.err)
                    .startsWith("kyu: the value of --args (argument ")
                    .contains("is not UTF-8 text")
                    .contains("{\"s\":\"\\xFF\\xFE\"}");

            r = kyuProcess(locale, "enqueue kyu.noop --queue \"$(printf 'q\\351')\"");
            assertThat(r.exitCode).as(r.toString()).isEqualTo(2);
            assertThat(r.err).contains("the value of --queue").contains("is not UTF-8 text: 'q\\xE9'");

            // a UTF-16 surrogate encoded as UTF-8 (CESU-8) is not UTF-8 either
            r = kyuProcess(locale, "enqueue kyu.echo --args \"$(printf '{\"s\":\"\\355\\240\\200\"}')\"");
            assertThat(r.exitCode).as(r.toString()).isEqualTo(2);
        }
        assertThat(kyu.admin().jobs(JobQuery.all(10))).isEmpty();
    }

    // ---- output: text from jobs is escaped for people, exact in --json ----

    @Test
    void controlCharactersAndLoneSurrogatesInStoredTextAreShownEscaped() throws Exception {
        JobHandle<JsonNode> h = kyu.enqueueJson(
                "kyu.fail",
                JsonCodec.shared().encode(java.util.Map.of("message", HOSTILE)),
                JobOptions.builder()
                        .maxAttempts(1)
                        .unique(HOSTILE.replace("\ud800", ""))
                        .meta(java.util.Map.of("k", HOSTILE))
                        .build());
        startWorker("default");
        Job failed = h.awaitJob(Duration.ofSeconds(20));
        assertThat(failed.state()).isEqualTo(JobState.FAILED);
        assertThat(failed.error().message()).isEqualTo(HOSTILE);

        String escaped = "x\\u001b[2J\\nFAKE LINE\\u202e \\u009b31m \\ud800 é";
        var job = cli.run("job", h.id());
        assertThat(job.exitCode()).as(job.toString()).isZero();
        assertPrintable(job.out());
        // a stack trace keeps its own line breaks (the message's among them), but no control reaches the terminal
        var stack = cli.run("job", h.id(), "--stack");
        assertPrintable(stack.out());
        assertThat(stack.out()).contains("    at dev.kyu.");
        assertThat(job.out())
                .contains("unique key   " + escaped.replace("\\ud800", ""))
                .contains("meta         {k=" + escaped + "}")
                .contains("DeliberateFailure: " + escaped);
        assertThat(job.out().lines().filter(l -> l.contains("FAKE LINE")).toList())
                .as("every line that holds the message also holds what came before its newline")
                .allSatisfy(l -> assertThat(l).contains("\\nFAKE LINE"));

        var table = cli.run("inspect", "jobs");
        assertPrintable(table.out());
        assertThat(table.out()).contains("DeliberateFailure: x\\u001b[2J\\nFA");

        var failedWait = cli.run(
                "enqueue",
                "kyu.fail",
                "--args",
                JsonCodec.shared().encode(java.util.Map.of("message", HOSTILE)),
                "--max-attempts",
                "1",
                "--wait");
        assertThat(failedWait.exitCode()).as(failedWait.toString()).isEqualTo(1);
        assertPrintable(failedWait.err());
        assertThat(failedWait.errLines()).hasSize(1);

        // --json is exact: the same text comes back from the JSON, and the JSON holds no raw control either
        var json = cli.run("job", h.id(), "--json");
        assertPrintable(json.out().replace("\n", ""));
        assertThat(json.json().get("error").get("message").asText()).isEqualTo(HOSTILE);
        assertThat(json.json().get("uniqueKey").asText()).isEqualTo(HOSTILE.replace("\ud800", ""));
        assertThat(json.json().get("meta").get("k").asText()).isEqualTo(HOSTILE);
    }

    @Test
    void aLoneSurrogateInAResultIsStoredAndShownEscapedNotAsAQuestionMark() throws Exception {
        JobHandle<JsonNode> h = kyu.enqueueJson(
                "kyu.echo", "{\"s\":\"\\ud800\"}", JobOptions.builder().build());
        startWorker("default");
        Job done = h.awaitJob(Duration.ofSeconds(20));
        assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(JsonCodec.shared().parse(done.result()).get("s").asText()).isEqualTo("\ud800");

        var job = cli.run("job", h.id());
        assertThat(job.out()).contains("result       {\"s\":\"\\ud800\"}").doesNotContain("?");
        var json = cli.run("job", h.id(), "--json");
        assertThat(json.out()).contains("\"s\": \"\\ud800\"");
        assertThat(json.json().get("result").get("s").asText()).isEqualTo("\ud800");

        // a unique key is plain text on every engine: one with a lone surrogate is refused, not stored as '?'
        var unique = cli.run("enqueue", "kyu.noop", "--unique", "k\ud800");
        assertThat(unique.exitCode()).as(unique.toString()).isEqualTo(2);
        assertThat(unique.err()).contains("--unique 'k\\ud800' holds a lone UTF-16 surrogate");
    }

    @Test
    void aQueueNameWithANewlineIsShownWholeInTheError() {
        var r = cli.run("enqueue", "kyu.noop", "--queue", "mail\nrm -rf /\u001b[2J");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).contains("bad queue name 'mail\\nrm -rf /\\u001b[2J'");
        assertPrintable(r.err());
        var unknownOption = cli.run("enqueue", "kyu.noop", "--no\nsuch");
        assertThat(unknownOption.errLines()).as(unknownOption.toString()).hasSize(1);
        assertThat(unknownOption.err()).contains("--no\\nsuch");
    }

    @Test
    void aJobThatSucceededOnItsRetryShowsNoErrorButKeepsTheFailedAttempt() throws Exception {
        JobHandle<JsonNode> h = kyu.enqueueJson(
                "kyu.fail",
                "{\"message\": \"flaky\", \"times\": 1}",
                JobOptions.builder()
                        .maxAttempts(3)
                        .backoff(dev.kyu.job.Backoff.fixed(Duration.ZERO))
                        .build());
        startWorker("default");
        Job done = h.awaitJob(Duration.ofSeconds(20));
        assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
        var json = cli.run("job", h.id(), "--json").json();
        assertThat(json.get("error").isNull()).as(json.toString()).isTrue();
        assertThat(json.get("errors")).hasSize(1);
        assertThat(json.get("errors").get(0).get("message").asText()).isEqualTo("flaky");
        assertThat(cli.run("inspect", "jobs").out()).doesNotContain("flaky");
        assertThat(cli.run("job", h.id()).out()).contains("attempt 1").contains("flaky");
    }

    /** Only printable text and line ends: no C0 or C1 control, no DEL, no bidi control, no lone surrogate. */
    private static void assertPrintable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean control = c < 0x20 && c != '\n'
                    || c == 0x7f
                    || c >= 0x80 && c <= 0x9f
                    || c >= '\u202a' && c <= '\u202e'
                    || c >= '\u2066' && c <= '\u2069'
                    || Character.isSurrogate(c)
                            && !(Character.isHighSurrogate(c)
                                    && i + 1 < s.length()
                                    && Character.isLowSurrogate(s.charAt(i + 1)))
                            && !(Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(s.charAt(i - 1)));
            assertThat(control)
                    .as("character U+%04X at %d in:%n%s", (int) c, i, s)
                    .isFalse();
        }
    }

    private record ProcessResult(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /**
     * Runs {@code kyu --broker URL ARGS} in a JVM of its own under the given locale. The arguments are a
     * shell fragment, so that raw bytes ({@code printf '\377'}) reach the JVM's argv as they would from a
     * terminal or a cron line; Java's own ProcessBuilder could only pass text.
     */
    private ProcessResult kyuProcess(String locale, String shellArgs) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path out = dir.resolve("out.txt"), err = dir.resolve("err.txt");
        var command = new ArrayList<>(
                List.of("bash", "-c", "exec \"$JAVA\" -cp \"$CP\" dev.kyu.cli.KyuCli --broker \"$URL\" " + shellArgs));
        var pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment()
                .keySet()
                .removeIf(k -> k.startsWith("LC_")
                        || k.equals("LANG")
                        || k.equals("JAVA_TOOL_OPTIONS")
                        || k.equals("JDK_JAVA_OPTIONS"));
        pb.environment().put("LC_ALL", locale);
        pb.environment().put("JAVA", java);
        pb.environment().put("CP", System.getProperty("java.class.path"));
        pb.environment().put("URL", url);
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("kyu did not finish within 60 s");
        }
        return new ProcessResult(
                p.exitValue(),
                Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
