package dev.kyu.bench;

import dev.kyu.KyuException;
import dev.kyu.bench.compare.Comparisons;
import dev.kyu.bench.figure.BenchConfig;
import dev.kyu.bench.figure.Drain;
import dev.kyu.bench.figure.EnqueueBatched;
import dev.kyu.bench.figure.EnqueueSingle;
import dev.kyu.bench.figure.Flow;
import dev.kyu.bench.figure.Latency;
import dev.kyu.bench.figure.Measurement;
import dev.kyu.bench.figure.Sustained;
import dev.kyu.bench.report.Figure;
import dev.kyu.bench.report.Machine;
import dev.kyu.bench.report.ResultJson;
import dev.kyu.bench.report.TablePrinter;
import dev.kyu.bench.subject.KyuSubject;
import dev.kyu.bench.subject.Subject;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kyu bench}: measures Kyu on one broker (and, with {@code --compare}, other job systems on the
 * same PostgreSQL) and prints a table; {@code --json} prints the figures as JSON instead. Results are
 * always written to {@code bench-results/<broker>-<timestamp>.json}. {@code jmh …} as the first argument
 * runs the JMH micro-benchmarks of the hot paths instead.
 */
@Command(
        name = "kyu bench",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Throughput and latency of Kyu on one broker (see docs/benchmarks.md).")
public final class BenchMain implements Callable<Integer> {
    @Option(names = "--broker", description = "broker URL (default: $KYU_BROKER, else sqlite:kyu-bench.db)")
    String broker;

    @Option(
            names = "--jobs",
            defaultValue = "100000",
            description = "N: jobs per drain and batched-enqueue run (default ${DEFAULT-VALUE})")
    int jobs;

    @Option(
            names = "--single-jobs",
            description = "jobs per single-call enqueue run (default: N/10, at least 1000, at most N)")
    Integer singleJobs;

    @Option(
            names = "--batch-size",
            defaultValue = "1000",
            description = "jobs per batched enqueue call (default ${DEFAULT-VALUE})")
    int batchSize;

    @Option(
            names = "--concurrency",
            defaultValue = "1000",
            description = "worker concurrency (default ${DEFAULT-VALUE})")
    int concurrency;

    @Option(
            names = "--figures",
            defaultValue = "enqueue,drain,latency,sustained",
            split = ",",
            description =
                    "which measurements: enqueue, drain, latency, sustained, isolated, workflow, await, flow (default ${DEFAULT-VALUE})")
    List<String> figures;

    @Option(names = "--runs", defaultValue = "3", description = "runs per figure (default ${DEFAULT-VALUE})")
    int runs;

    @Option(
            names = "--latency-jobs",
            defaultValue = "500",
            description = "jobs per latency run (default ${DEFAULT-VALUE})")
    int latencyJobs;

    @Option(
            names = "--latency-gap-ms",
            defaultValue = "10",
            description = "pause between latency enqueues (default ${DEFAULT-VALUE})")
    int latencyGapMs;

    @Option(
            names = "--sustained-seconds",
            defaultValue = "60",
            description = "length of a sustained-load run (default ${DEFAULT-VALUE})")
    int sustainedSeconds;

    @Option(
            names = "--sustained-rate",
            defaultValue = "0",
            description = "offered jobs/s under sustained load (default: half the drain median, else 1000)")
    int sustainedRate;

    @Option(
            names = "--warmup-jobs",
            defaultValue = "20000",
            description =
                    "no-op jobs each worker runs, on a queue of its own, before it is measured (JIT warm-up; default ${DEFAULT-VALUE}, 0 for none)")
    int warmupJobs;

    @Option(
            names = "--flow-jobs",
            defaultValue = "20000",
            description =
                    "flow figure: jobs per drain; at the limit's rate they should last 15 s or more (default ${DEFAULT-VALUE})")
    int flowJobs;

    @Option(
            names = "--flow-rate",
            defaultValue = "1000",
            description =
                    "flow figure: the global rate limit, jobs/s, shared by every worker JVM (default ${DEFAULT-VALUE})")
    int flowRate;

    @Option(
            names = "--flow-burst",
            defaultValue = "10",
            description = "flow figure: that limit's burst (default ${DEFAULT-VALUE})")
    int flowBurst;

    @Option(
            names = "--flow-keys",
            defaultValue = "10000",
            description =
                    "flow figure: distinct keys of the per-key drain, compared with one key (default ${DEFAULT-VALUE})")
    int flowKeys;

    @Option(
            names = "--flow-key-rate",
            defaultValue = "1000000",
            description =
                    "flow figure: the per-key limit, jobs/s per key; high, so that the keys' cost is measured, not their limit (default ${DEFAULT-VALUE})")
    long flowKeyRate;

    @Option(
            names = "--flow-workers",
            defaultValue = "3",
            description = "flow figure: worker JVMs per drain (default ${DEFAULT-VALUE})")
    int flowWorkers;

    @Option(
            names = "--compare",
            split = ",",
            description =
                    "also measure these systems: jobrunr, db-scheduler (on --compare-url), celery (on --compare-amqp-url)")
    List<String> compare = new ArrayList<>();

    @Option(
            names = "--compare-url",
            defaultValue = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres",
            description = "JDBC URL of the PostgreSQL the compared systems use (default ${DEFAULT-VALUE})")
    String compareUrl;

    @Option(
            names = "--compare-jobs",
            description = "N for the compared systems (default: N); JobRunr's 5 s poll makes large N take long")
    Integer compareJobs;

    @Option(
            names = "--compare-threads",
            defaultValue = "64",
            description = "worker threads of the compared systems (platform threads each; default ${DEFAULT-VALUE})")
    int compareThreads;

    @Option(
            names = "--compare-amqp-url",
            description = "RabbitMQ URL Celery uses (default: --broker when it is amqp://…, else "
                    + Comparisons.DEFAULT_AMQP_URL + ")")
    String compareAmqpUrl;

    @Option(
            names = "--celery-processes",
            description =
                    "processes of Celery's prefork pool, at most C (default: the machine's cores, Celery's own default)")
    Integer celeryProcesses;

    @Option(names = "--json", description = "print the figures as JSON instead of a table")
    boolean json;

    @Option(
            names = "--out",
            defaultValue = "bench-results",
            description = "directory for the JSON results (default ${DEFAULT-VALUE})")
    Path out;

    public static void main(String[] args) throws Exception {
        // The compared systems log every start and stop at INFO; the table is what matters here.
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null)
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        if (args.length > 0 && args[0].equals("jmh")) {
            org.openjdk.jmh.Main.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        var cli = new CommandLine(new BenchMain());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("kyu bench: " + e.getMessage());
            return e instanceof KyuException || e instanceof IllegalArgumentException ? 2 : 1;
        });
        System.exit(cli.execute(args));
    }

    @Override
    public Integer call() throws Exception {
        String url = broker != null ? broker : envOr("KYU_BROKER", "sqlite:kyu-bench.db");
        var config = new BenchConfig(
                jobs,
                singleJobs != null ? singleJobs : Math.min(jobs, Math.max(1000, jobs / 10)),
                batchSize,
                concurrency,
                latencyJobs,
                latencyGapMs,
                sustainedSeconds,
                sustainedRate,
                runs);
        List<Measurement> measurements = measurements(
                figures, new Flow.Settings(flowJobs, flowRate, flowBurst, flowKeys, flowKeyRate, flowWorkers));
        var runner = new Runner(config, System.err);
        var all = new ArrayList<Figure>();
        String label;
        try (Subject kyu = new KyuSubject(url, warmupJobs)) {
            label = kyu.label();
            all.addAll(runner.run(kyu, measurements));
        }
        if (!compare.isEmpty()) {
            int n = compareJobs != null ? compareJobs : jobs;
            var otherConfig = new BenchConfig(
                    n,
                    Math.min(config.singleJobs(), n),
                    batchSize,
                    concurrency,
                    latencyJobs,
                    latencyGapMs,
                    sustainedSeconds,
                    sustainedRate,
                    runs);
            var otherRunner = new Runner(otherConfig, System.err);
            var settings = new Comparisons.Settings(
                    compareUrl,
                    Comparisons.amqpUrl(compareAmqpUrl, url),
                    compareThreads,
                    warmupJobs,
                    celeryProcesses != null
                            ? celeryProcesses
                            : Runtime.getRuntime().availableProcessors());
            for (String name : compare) {
                try (Subject other = Comparisons.open(name.trim(), settings)) {
                    // Sustained load is Kyu's alone: the compared systems are measured on the other figures.
                    all.addAll(otherRunner.run(
                            other,
                            measurements.stream()
                                    .filter(m -> !(m instanceof Sustained))
                                    .toList()));
                }
            }
        }
        Machine machine = Machine.current();
        Path file = ResultJson.write(out, label, all, machine, Instant.now());
        if (json) System.out.println(ResultJson.render(all, machine));
        else System.out.print(TablePrinter.render(all));
        System.err.println("results written to " + file);
        return 0;
    }

    static List<Measurement> measurements(List<String> names) {
        return measurements(names, Flow.Settings.DEFAULT);
    }

    static List<Measurement> measurements(List<String> names, Flow.Settings flow) {
        Set<String> wanted = new LinkedHashSet<>();
        for (String n : names) wanted.add(n.trim().toLowerCase(java.util.Locale.ROOT));
        var out = new ArrayList<Measurement>();
        for (String n : wanted) {
            switch (n) {
                case "enqueue" -> {
                    out.add(new EnqueueSingle());
                    out.add(new EnqueueBatched());
                }
                case "drain" -> out.add(new Drain());
                case "latency" -> out.add(new Latency());
                case "sustained" -> out.add(new Sustained());
                case "isolated" -> out.add(new dev.kyu.bench.figure.Isolated());
                case "workflow", "workflows" -> out.add(new dev.kyu.bench.figure.Workflows());
                case "await" -> out.add(new dev.kyu.bench.figure.AwaitWake());
                case "flow" -> out.add(new Flow(flow));
                default ->
                    throw new IllegalArgumentException("unknown figure '" + n
                            + "': expected enqueue, drain, latency, sustained, isolated, workflow, await or flow");
            }
        }
        // Latency runs first, on a server the other figures have not yet loaded: their cleanups delete
        // hundreds of thousands of jobs, whose vacuum and checkpoints would otherwise land in its runs.
        // Sustained load takes its default rate from the drain, so it runs last.
        out.sort(java.util.Comparator.comparingInt(m -> m instanceof Latency ? -1 : m instanceof Sustained ? 1 : 0));
        return out;
    }

    private static String envOr(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v.trim();
    }
}
