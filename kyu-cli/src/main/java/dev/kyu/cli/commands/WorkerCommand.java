package dev.kyu.cli.commands;

import dev.kyu.Kyu;
import dev.kyu.KyuException;
import dev.kyu.cli.Blocking;
import dev.kyu.cli.Converters;
import dev.kyu.cli.ExitCode;
import dev.kyu.cli.KyuCommand;
import dev.kyu.cli.hooks.Hooks;
import dev.kyu.task.KyuTask;
import dev.kyu.worker.Worker;
import dev.kyu.worker.WorkerOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kyu worker}: runs jobs until SIGTERM/SIGINT. Registers the built-in tasks, the tasks found through
 * {@link java.util.ServiceLoader} and the classes named with {@code --tasks}, then starts a {@link Worker};
 * on a stop signal the worker stops fetching, lets running jobs finish within the grace period and hands
 * the rest back to QUEUED (docs/delivery.md).
 */
@Command(
        name = "worker",
        description =
                "Run a worker: fetch jobs from queues and run them until stopped (SIGTERM or Ctrl-C stop it gracefully).",
        footer = {
            "",
            "Examples:",
            "  kyu worker",
            "  kyu worker --queues mail,default --concurrency 50",
            "  kyu worker --weights critical=6,default=3,low=1",
            "  kyu worker --tasks com.example.shop.ShopTasks",
            "  kyu worker --http-port 9400",
            "  kyu worker --alerts alerts.yaml",
            "  kyu worker --autoscale 2,50"
        })
public final class WorkerCommand extends KyuCommand {
    private static final Logger log = LoggerFactory.getLogger(WorkerCommand.class);

    @Option(
            names = {"-q", "--queues"},
            split = ",",
            paramLabel = "QUEUE",
            description = "Queues to read, in strict order (default: default).")
    List<String> queues = new ArrayList<>();

    @Option(
            names = {"-w", "--weights"},
            split = ",",
            paramLabel = "QUEUE=WEIGHT",
            description = "Read queues by weight instead of strict order, e.g. high=3,low=1.")
    Map<String, Integer> weights = new LinkedHashMap<>();

    @Option(
            names = {"-c", "--concurrency"},
            paramLabel = "N",
            description = "Most jobs running at once (default: 10).")
    Integer concurrency;

    @Option(
            names = "--tasks",
            split = ",",
            arity = "1..*",
            paramLabel = "CLASS",
            description = "Task or task-bundle classes to register (besides built-in and ServiceLoader tasks).")
    List<String> taskClasses = new ArrayList<>();

    @Option(
            names = "--isolated",
            split = ",",
            paramLabel = "TASK",
            description =
                    "Run these tasks in child JVMs that a timeout kills (task classes or built-ins; docs/tasks.md).")
    List<String> isolated = new ArrayList<>();

    @Option(
            names = "--isolated-children",
            paramLabel = "N",
            description =
                    "Most child JVMs for --isolated tasks (default: the concurrency or the CPU count, whichever is smaller).")
    Integer isolatedChildren;

    @Option(names = "--beat", description = "Also run the scheduler (periodic jobs) in this process.")
    boolean beat;

    @Option(
            names = "--grace",
            paramLabel = "DURATION",
            converter = Converters.DurationConverter.class,
            description = "How long running jobs may finish at shutdown before they are handed back (default: 25s).")
    Duration grace = Duration.ofSeconds(25);

    @Option(
            names = "--lease",
            paramLabel = "DURATION",
            converter = Converters.DurationConverter.class,
            hidden = true,
            description =
                    "Lease per fetched job, extended by heartbeats (default: 30s). Shorter leases rescue jobs of dead workers sooner.")
    Duration lease = Duration.ofSeconds(30);

    @Option(
            names = "--http-port",
            paramLabel = "PORT",
            description = "Serve Prometheus /metrics, /health/live and /health/ready on this port (off by default).")
    Integer httpPort;

    @Option(
            names = "--http-bind",
            paramLabel = "ADDR",
            defaultValue = "127.0.0.1",
            description =
                    "Address of the HTTP endpoint (default ${DEFAULT-VALUE}); anything but loopback needs a token "
                            + "for /metrics: --http-token-file or $KYU_HTTP_TOKEN.")
    String httpBind;

    @Option(
            names = "--http-token-file",
            paramLabel = "FILE",
            description = "Bearer token for /metrics, read from FILE (its first line).")
    java.nio.file.Path httpTokenFile;

    @Option(
            names = "--autoscale",
            paramLabel = "MIN,MAX",
            description =
                    "Grow concurrency up to MAX while jobs wait, shrink to MIN after 30s of spare slots (instead of --concurrency).")
    String autoscale;

    @Option(
            names = "--alerts",
            paramLabel = "FILE",
            description =
                    "Evaluate the alert rules of FILE (docs/alerts.md); one process of all that are given rules leads at a time.")
    java.nio.file.Path alertsFile;

    @Override
    public Integer call() {
        WorkerOptions options = options();
        var alertConfig = alertsFile == null ? null : dev.kyu.alert.AlertFile.read(alertsFile);
        var beatHook = beat
                ? Hooks.beat()
                        .orElseThrow(() -> new KyuException.InvalidInput(
                                "--beat is not available in this build: the scheduler module is missing"))
                : null;
        Kyu kyu = root().connect();
        var blocking = new Blocking().closeAtEnd(kyu);
        try {
            kyu.tasks().registerServiceLoaded(WorkerCommand.class.getClassLoader());
            taskClasses.forEach(c -> kyu.tasks().registerClass(c, WorkerCommand.class.getClassLoader()));
            log.info(
                    "tasks: {}", kyu.tasks().tasks().stream().map(KyuTask::name).toList());
            if (beatHook != null) blocking.closeAtEnd(beatHook.start(kyu));
            Worker worker = kyu.worker(options);
            // Served before the worker starts and closed after it stops, so /health/ready reads DOWN while the
            // worker drains at shutdown; a port in use stops the command before it takes any job.
            if (httpPort != null) blocking.closeAtEnd(dev.kyu.ops.WorkerEndpoint.start(kyu, worker, endpointOptions()));
            blocking.closeAtEnd(worker.start());
            if (autoscale != null) {
                blocking.closeAtEnd(new dev.kyu.worker.Autoscaler(
                                worker, kyu.broker(), autoscaleOptions(), java.time.Clock.systemUTC())
                        .start());
            }
            if (alertConfig != null)
                blocking.closeAtEnd(dev.kyu.alert.Alerts.of(kyu, alertConfig).start());
        } catch (RuntimeException e) {
            kyu.close();
            throw e;
        }
        blocking.awaitShutdown();
        return ExitCode.OK;
    }

    private dev.kyu.ops.WorkerEndpointOptions endpointOptions() {
        String token = System.getenv("KYU_HTTP_TOKEN");
        if (httpTokenFile != null) {
            try {
                token = java.nio.file.Files.readAllLines(httpTokenFile).stream()
                        .findFirst()
                        .orElse("")
                        .strip();
            } catch (java.io.IOException e) {
                throw new KyuException.InvalidInput(
                        "cannot read --http-token-file " + httpTokenFile + ": " + e.getMessage());
            }
        }
        return dev.kyu.ops.WorkerEndpointOptions.onPort(httpPort)
                .withBind(httpBind)
                .withToken(token == null || token.isBlank() ? null : token);
    }

    private dev.kyu.worker.Autoscaler.Options autoscaleOptions() {
        String[] parts = autoscale.split(",", -1);
        try {
            if (parts.length != 2) throw new NumberFormatException();
            int min = Integer.parseInt(parts[0].strip());
            int max = Integer.parseInt(parts[1].strip());
            if (min < 1 || min > max || max > 100_000) throw new NumberFormatException();
            return dev.kyu.worker.Autoscaler.Options.of(min, max);
        } catch (NumberFormatException e) {
            throw new KyuException.InvalidInput(
                    "--autoscale takes MIN,MAX with 1 <= MIN <= MAX <= 100000, was '" + autoscale + "'");
        }
    }

    private WorkerOptions options() {
        if (autoscale != null && concurrency != null)
            throw new KyuException.InvalidInput("give --autoscale or --concurrency, not both");
        var b = WorkerOptions.builder()
                .concurrency(autoscale != null ? autoscaleOptions().min() : concurrency != null ? concurrency : 10)
                .leaseDuration(lease)
                .shutdownGrace(grace);
        if (!weights.isEmpty()) {
            if (!queues.isEmpty() && !List.copyOf(queues).equals(List.copyOf(weights.keySet()))) {
                throw new KyuException.InvalidInput(
                        "give either --queues or --weights (weights name the queues themselves)");
            }
            b.weighted(weights);
        } else if (!queues.isEmpty()) {
            b.queues(queues);
        }
        if (isolatedChildren != null && isolated.isEmpty())
            throw new KyuException.InvalidInput("--isolated-children needs --isolated");
        b.isolated(isolated);
        if (isolatedChildren != null) b.isolatedChildren(isolatedChildren);
        return b.build();
    }
}
