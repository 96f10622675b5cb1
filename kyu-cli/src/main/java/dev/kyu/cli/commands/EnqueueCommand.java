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
 * {@code kyu enqueue TASK}: stores one job, or {@code --count N} copies in batches of {@value #BATCH}
 * (one broker round trip each) with a progress bar, and with {@code --wait} waits for them to finish.
 */
@Command(name = "enqueue",
        description = "Enqueue a job of a task by name, with JSON args.",
        footer = {"",
                "Examples:",
                "  kyu enqueue kyu.echo --args '{\"hello\": \"world\"}'",
                "  kyu enqueue email.send --args @email.json --queue mail --max-attempts 5",
                "  kyu enqueue report.build --delay 10m --unique report-2030-01",
                "  kyu enqueue report.build --result-ttl 10m     (kept 10 minutes once it ends)",
                "  kyu enqueue kyu.sleep --args '{\"ms\": 100}' --count 10000",
                "  kyu enqueue kyu.fail --wait --timeout 10s     (exit code 1: the job failed)",
                "",
                "--json prints {\"id\": \"…\"} (an array of them with --count; the finished job objects with --wait)."})
public final class EnqueueCommand extends KyuCommand {
    static final int BATCH = 1000;

    @Parameters(index = "0", paramLabel = "TASK", description = "The task's registered name, e.g. kyu.echo.")
    String task;

    @Option(names = {"-a", "--args"}, paramLabel = "JSON", description = "Arguments as JSON, or @FILE to read them from a file (default: {}).")
    String args = "{}";

    @Option(names = {"-q", "--queue"}, paramLabel = "QUEUE", description = "Queue (default: the task's, else default).")
    String queue;

    @Option(names = "--tasks", split = ",", arity = "1..*", paramLabel = "CLASS",
            description = "Task or task-bundle classes whose defaults (queue, attempts, back-off) apply, as for kyu worker; "
                    + "tasks found through ServiceLoader on KYU_CLASSPATH are known without it.")
    List<String> taskClasses = new java.util.ArrayList<>();

    @Option(names = {"-p", "--priority"}, paramLabel = "N", description = "Priority; higher runs first within a queue (default: 0).")
    Integer priority;

    @ArgGroup(exclusive = true)
    When when;

    static final class When {
        @Option(names = "--delay", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
                description = "Run no sooner than this long from now: 250ms, 10s, 5m, 2h, 1d.")
        Duration delay;

        @Option(names = "--at", paramLabel = "TIME", converter = Converters.InstantConverter.class,
                description = "Run no sooner than this ISO-8601 time, e.g. 2030-01-01T09:00:00Z.")
        Instant at;
    }

    @Option(names = "--max-attempts", paramLabel = "N", description = "Attempts in all, retries included (default: 3).")
    Integer maxAttempts;

    @Option(names = "--timeout-per-attempt", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
            description = "Interrupt an attempt that runs longer than this.")
    Duration attemptTimeout;

    @Option(names = "--result-ttl", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
            description = "Keep the job this long once it ends, in place of the global retention (default: 24h for succeeded "
                    + "and cancelled jobs, 7d for failed ones).")
    Duration resultTtl;

    @Option(names = "--unique", paramLabel = "KEY", description = "Unique key: while a job with this key waits or runs, enqueue returns that job.")
    String unique;

    @Option(names = "--meta", paramLabel = "KEY=VALUE", description = "Free metadata stored with the job (repeatable).")
    Map<String, String> meta = new LinkedHashMap<>();

    @Option(names = {"-n", "--count"}, paramLabel = "N", description = "Enqueue N copies, in batches of " + BATCH + " (default: 1).")
    int count = 1;

    @Option(names = "--wait", description = "Wait until the job(s) finish; exit 1 if any ended FAILED or CANCELLED.")
    boolean await;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
            description = "With --wait: give up after this long, exit 1 (default: 30s).")
    Duration timeout;

    @Option(names = "--json", description = "Print JSON: {\"id\": \"…\"}, an array with --count, job objects with --wait.")
    boolean json;

    @Override
    public Integer call() throws InterruptedException {
        if (count < 1 || count > 10_000_000) throw new KyuException.InvalidInput("--count must be 1..10000000, was " + count);
        if (unique != null && count > 1) throw new KyuException.InvalidInput("--unique with --count " + count + " would store one job: use one or the other");
        if (timeout != null && !await) {
            throw new KyuException.InvalidInput("--timeout goes with --wait; to limit how long each attempt may run, use --timeout-per-attempt");
        }
        String argsJson = readArgs();
        JobOptions options = options();
        try (Kyu kyu = connectShared()) {
            // The task's own defaults (its queue first of all) come from its registration, as in the worker:
            // without it a user task's job would land in queue 'default', where its workers never look.
            kyu.tasks().registerServiceLoaded(EnqueueCommand.class.getClassLoader());
            taskClasses.forEach(c -> kyu.tasks().registerClass(c, EnqueueCommand.class.getClassLoader()));
            List<JobHandle<JsonNode>> handles = count == 1
                    ? List.of(kyu.enqueueJson(task, argsJson, options))
                    : enqueueMany(kyu, argsJson, options);
            if (!await) {
                printIds(handles);
                return ExitCode.OK;
            }
            return new JobWaiter(output(), err(), json, root().stderrIsTerminal()).await(handles, timeout != null ? timeout : Duration.ofSeconds(30));
        }
    }

    private List<JobHandle<JsonNode>> enqueueMany(Kyu kyu, String argsJson, JobOptions options) {
        var handles = new ArrayList<JobHandle<JsonNode>>(count);
        var bar = new ProgressBar(err(), "enqueue", count, root().stderrIsTerminal());
        for (int done = 0; done < count; ) {
            int n = Math.min(BATCH, count - done);
            handles.addAll(kyu.enqueueJsonAll(task, Collections.nCopies(n, argsJson), options));
            done += n;
            bar.set(done);
        }
        bar.finish();
        return handles;
    }

    private void printIds(List<JobHandle<JsonNode>> handles) {
        if (json) {
            var f = JsonNodeFactory.instance;
            if (count == 1) {
                output().json(f.objectNode().put("id", handles.get(0).id()));
            } else {
                ArrayNode a = f.arrayNode();
                handles.forEach(h -> a.addObject().put("id", h.id()));
                output().json(a);
            }
            return;
        }
        if (count == 1) {
            JobHandle<JsonNode> h = handles.get(0);
            output().line(h.created() ? h.id() : h.id() + "  (already enqueued under unique key " + unique + ")");
        } else {
            output().line("enqueued " + count + " jobs of " + task + ": " + handles.get(0).id() + " … " + handles.get(count - 1).id());
        }
    }

    private String readArgs() {
        if (args == null || !args.startsWith("@")) return args;
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
        for (String[] r : new String[][] {{"maxAttempts", "--max-attempts"}, {"runAt", "--at"}, {"delay", "--delay"},
                {"uniqueKey", "--unique"}, {"meta keys", "--meta keys"}, {"timeout must", "--timeout-per-attempt must"},
                {"result ttl", "--result-ttl"}}) {
            if (m.startsWith(r[0])) m = r[1] + m.substring(r[0].length());
        }
        return m;
    }
}
