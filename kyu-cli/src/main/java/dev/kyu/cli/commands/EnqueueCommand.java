package dev.kyu.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.kyu.Kyu;
import dev.kyu.KyuException;
import dev.kyu.cli.Converters;
import dev.kyu.cli.ExitCode;
import dev.kyu.cli.KyuCommand;
import dev.kyu.cli.ProgressBar;
import dev.kyu.client.JobHandle;
import dev.kyu.job.JobOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kyu enqueue TASK}: stores one job, or {@code --count N} copies, or one job per line of JSON args
 * read with {@code --stdin} / {@code --jsonl FILE}, in batches of {@value #BATCH} (one broker round trip
 * each) with a progress bar, and with {@code --wait} waits for them to finish. Lines are all checked before
 * the first batch is stored: a bad line refuses the whole input.
 */
@Command(
        name = "enqueue",
        description = "Enqueue a job of a task by name, with JSON args.",
        footer = {
            "",
            "Examples:",
            "  kyu enqueue kyu.echo --args '{\"hello\": \"world\"}'",
            "  kyu enqueue email.send --args @email.json --queue mail --max-attempts 5",
            "  kyu enqueue report.build --delay 10m --unique report-2030-01",
            "  kyu enqueue report.build --result-ttl 10m     (kept 10 minutes once it ends)",
            "  kyu enqueue kyu.sleep --args '{\"ms\": 100}' --count 10000",
            "  kyu enqueue kyu.fail --wait --timeout 10s     (exit code 1: the job failed)",
            "  jq -c '.[]' orders.json | kyu enqueue shop.ship --stdin --queue shop",
            "",
            "--json prints {\"id\": \"…\"} (an array of them with --count, --stdin or --jsonl; the finished job objects with --wait)."
        })
public final class EnqueueCommand extends KyuCommand {
    static final int BATCH = 1000;

    @Parameters(index = "0", paramLabel = "TASK", description = "The task's registered name, e.g. kyu.echo.")
    String task;

    @Option(
            names = {"-a", "--args"},
            paramLabel = "JSON",
            description = "Arguments as JSON, or @FILE to read them from a file (default: {}).")
    String args;

    @Option(
            names = "--stdin",
            description =
                    "Read JSON lines from standard input: each line the args of one job; all other options apply to every job.")
    boolean stdin;

    @Option(names = "--jsonl", paramLabel = "FILE", description = "As --stdin, from a file (- is standard input).")
    Path jsonl;

    @Option(
            names = {"-q", "--queue"},
            paramLabel = "QUEUE",
            description = "Queue (default: the task's, else default).")
    String queue;

    @Option(
            names = "--tasks",
            split = ",",
            arity = "1..*",
            paramLabel = "CLASS",
            description =
                    "Task or task-bundle classes whose defaults (queue, attempts, back-off) apply, as for kyu worker; "
                            + "tasks found through ServiceLoader on KYU_CLASSPATH are known without it.")
    List<String> taskClasses = new java.util.ArrayList<>();

    @Option(
            names = {"-p", "--priority"},
            paramLabel = "N",
            description = "Priority; higher runs first within a queue (default: 0).")
    Integer priority;

    @ArgGroup(exclusive = true)
    When when;

    static final class When {
        @Option(
                names = "--delay",
                paramLabel = "DURATION",
                converter = Converters.DurationConverter.class,
                description = "Run no sooner than this long from now: 250ms, 10s, 5m, 2h, 1d.")
        Duration delay;

        @Option(
                names = "--at",
                paramLabel = "TIME",
                converter = Converters.InstantConverter.class,
                description = "Run no sooner than this ISO-8601 time, e.g. 2030-01-01T09:00:00Z.")
        Instant at;
    }

    @Option(names = "--max-attempts", paramLabel = "N", description = "Attempts in all, retries included (default: 3).")
    Integer maxAttempts;

    @Option(
            names = "--timeout-per-attempt",
            paramLabel = "DURATION",
            converter = Converters.DurationConverter.class,
            description = "Interrupt an attempt that runs longer than this.")
    Duration attemptTimeout;

    @Option(
            names = "--result-ttl",
            paramLabel = "DURATION",
            converter = Converters.DurationConverter.class,
            description =
                    "Keep the job this long once it ends, in place of the global retention (default: 24h for succeeded "
                            + "and cancelled jobs, 7d for failed ones).")
    Duration resultTtl;

    @Option(
            names = "--unique",
            paramLabel = "KEY",
            description = "Unique key: while a job with this key waits or runs, enqueue returns that job.")
    String unique;

    @Option(names = "--meta", paramLabel = "KEY=VALUE", description = "Free metadata stored with the job (repeatable).")
    Map<String, String> meta = new LinkedHashMap<>();

    @Option(
            names = {"-n", "--count"},
            paramLabel = "N",
            description = "Enqueue N copies, in batches of " + BATCH + " (default: 1).")
    int count = 1;

    @Option(names = "--wait", description = "Wait until the job(s) finish; exit 1 if any ended FAILED or CANCELLED.")
    boolean await;

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            converter = Converters.DurationConverter.class,
            description = "With --wait: give up after this long, exit 1 (default: 30s).")
    Duration timeout;

    @Option(
            names = "--json",
            description = "Print JSON: {\"id\": \"…\"}, an array with --count, job objects with --wait.")
    boolean json;

    @Override
    public Integer call() throws InterruptedException {
        if (count < 1 || count > 10_000_000)
            throw new KyuException.InvalidInput("--count must be 1..10000000, was " + count);
        if (unique != null && count > 1)
            throw new KyuException.InvalidInput(
                    "--unique with --count " + count + " would store one job: use one or the other");
        if (timeout != null && !await) {
            throw new KyuException.InvalidInput(
                    "--timeout goes with --wait; to limit how long each attempt may run, use --timeout-per-attempt");
        }
        boolean bulk = stdin || jsonl != null;
        if (bulk) checkBulkOptions();
        String argsJson = bulk ? null : readArgs();
        JobOptions options = options();
        // Read and checked whole before connecting: a bad line refuses the input with nothing stored.
        List<String> lines = bulk ? readLines() : null;
        try (Kyu kyu = connectShared()) {
            // The task's own defaults (its queue first of all) come from its registration, as in the worker:
            // without it a user task's job would land in queue 'default', where its workers never look.
            kyu.tasks().registerServiceLoaded(EnqueueCommand.class.getClassLoader());
            taskClasses.forEach(c -> kyu.tasks().registerClass(c, EnqueueCommand.class.getClassLoader()));
            List<JobHandle<JsonNode>> handles = bulk
                    ? enqueueBatches(kyu, lines, options)
                    : count == 1
                            ? List.of(kyu.enqueueJson(task, argsJson, options))
                            : enqueueBatches(kyu, Collections.nCopies(count, argsJson), options);
            if (!await) {
                printIds(handles, !bulk && count == 1);
                return ExitCode.OK;
            }
            return new JobWaiter(output(), err(), json, root().stderrIsTerminal())
                    .await(handles, timeout != null ? timeout : Duration.ofSeconds(30));
        }
    }

    /** Stores the jobs in batches of {@value #BATCH}, one round trip each, with a progress bar when there is more than one. */
    private List<JobHandle<JsonNode>> enqueueBatches(Kyu kyu, List<String> argsJson, JobOptions options) {
        int total = argsJson.size();
        var handles = new ArrayList<JobHandle<JsonNode>>(total);
        var bar = total > BATCH || !(stdin || jsonl != null)
                ? new ProgressBar(err(), "enqueue", total, root().stderrIsTerminal())
                : null;
        for (int done = 0; done < total; ) {
            int n = Math.min(BATCH, total - done);
            try {
                handles.addAll(kyu.enqueueJsonAll(task, argsJson.subList(done, done + n), options));
            } catch (KyuException.BrokerUnavailable e) {
                // The batches before this one are stored: say how far it got, so a rerun can skip them.
                if (done == 0) throw e;
                throw new KyuException.BrokerUnavailable(
                        e.getMessage() + " (the first " + done + " of " + total
                                + " jobs were stored, the rest were not)",
                        e);
            }
            done += n;
            if (bar != null) bar.set(done);
        }
        if (bar != null) bar.finish();
        return handles;
    }

    private void checkBulkOptions() {
        String source = stdin ? "--stdin" : "--jsonl";
        if (stdin && jsonl != null)
            throw new KyuException.InvalidInput(
                    "--stdin and --jsonl both name the input: use one (--jsonl - is standard input)");
        if (args != null)
            throw new KyuException.InvalidInput("--args with " + source + ": each line is one job's args");
        if (count != 1) throw new KyuException.InvalidInput("--count with " + source + ": each line is one job");
        if (unique != null)
            throw new KyuException.InvalidInput(
                    "--unique with " + source + " would store one job: use one or the other");
    }

    private List<String> readLines() {
        if (stdin || jsonl.toString().equals("-"))
            return dev.kyu.cli.JsonLines.read(System.in, "stdin", dev.kyu.codec.JsonCodec.shared());
        try (var in = java.nio.file.Files.newInputStream(jsonl)) {
            return dev.kyu.cli.JsonLines.read(in, jsonl.toString(), dev.kyu.codec.JsonCodec.shared());
        } catch (java.nio.file.NoSuchFileException e) {
            throw new KyuException.InvalidInput("cannot read --jsonl file " + jsonl + ": no such file");
        } catch (java.io.IOException e) {
            throw new KyuException.InvalidInput("cannot read --jsonl file " + jsonl + ": " + e.getMessage());
        }
    }

    private void printIds(List<JobHandle<JsonNode>> handles, boolean single) {
        if (json) {
            var f = JsonNodeFactory.instance;
            if (single) {
                output().json(f.objectNode().put("id", handles.get(0).id()));
            } else {
                ArrayNode a = f.arrayNode();
                handles.forEach(h -> a.addObject().put("id", h.id()));
                output().json(a);
            }
            return;
        }
        if (single) {
            JobHandle<JsonNode> h = handles.get(0);
            output().line(h.created() ? h.id() : h.id() + "  (already enqueued under unique key " + unique + ")");
        } else if (handles.isEmpty()) {
            output().line("enqueued 0 jobs of " + task + " (the input had no lines)");
        } else {
            output().line("enqueued " + handles.size() + " jobs of " + task + ": "
                    + handles.get(0).id() + " … "
                    + handles.get(handles.size() - 1).id());
        }
    }

    private String readArgs() {
        if (args == null) return "{}";
        if (!args.startsWith("@")) return args;
        if (args.length() == 1) throw new KyuException.InvalidInput("--args @ names no file: write --args @FILE");
        return dev.kyu.cli.TextFiles.read(Path.of(args.substring(1)), "--args file");
    }

    private JobOptions options() {
        try {
            var b = JobOptions.builder();
            if (queue != null) b.queue(queue);
            if (priority != null) b.priority(priority);
            if (when != null && when.delay != null) b.delay(when.delay);
            if (when != null && when.at != null) b.runAt(when.at);
            if (maxAttempts != null) b.maxAttempts(maxAttempts);
            if (attemptTimeout != null) b.timeout(attemptTimeout);
            if (resultTtl != null) b.resultTtl(resultTtl);
            if (unique != null) b.unique(unique);
            b.meta(meta);
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new KyuException.InvalidInput(inOptionNames(e.getMessage()), e);
        }
    }

    /** The library names a value by its field; on the command line the user knows it by its option. */
    private static String inOptionNames(String message) {
        String m = message;
        for (String[] r : new String[][] {
            {"maxAttempts", "--max-attempts"},
            {"runAt", "--at"},
            {"delay", "--delay"},
            {"uniqueKey", "--unique"},
            {"meta keys", "--meta keys"},
            {"timeout must", "--timeout-per-attempt must"},
            {"result ttl", "--result-ttl"}
        }) {
            if (m.startsWith(r[0])) m = r[1] + m.substring(r[0].length());
        }
        return m;
    }
}
