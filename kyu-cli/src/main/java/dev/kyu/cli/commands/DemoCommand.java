package dev.kyu.cli.commands;

import dev.kyu.Kyu;
import dev.kyu.KyuException;
import dev.kyu.cli.Blocking;
import dev.kyu.cli.ExitCode;
import dev.kyu.cli.KyuCommand;
import dev.kyu.cli.ProgressBar;
import dev.kyu.cli.WorkFailed;
import dev.kyu.cli.demo.DemoSummary;
import dev.kyu.cli.demo.DemoTally;
import dev.kyu.cli.demo.Order;
import dev.kyu.cli.demo.ShopTasks;
import dev.kyu.cli.hooks.EmbeddedDashboard;
import dev.kyu.cli.hooks.Hooks;
import dev.kyu.maintenance.MaintenanceOptions;
import dev.kyu.worker.Worker;
import dev.kyu.worker.WorkerOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kyu demo}: an online shop's orders on the configured broker (by default the embedded SQLite file, no
 * server needed), each order one workflow. Enqueues the workflows, starts a worker in this process, shows a
 * progress bar of ended orders, then each order's outcome, a summary and what to try next.
 */
@Command(
        name = "demo",
        description =
                "Run an online shop's orders as workflows (reserve stock, charge payment, then ship and confirm) with an in-process worker.",
        footer = {
            "",
            "Every fifth order's card is declined on purpose: its workflow fails and the stock is released.",
            "The card network times out now and then, so retries show. The workflows stay in the broker afterwards.",
            "",
            "Examples:",
            "  kyu demo",
            "  kyu demo --orders 500",
            "  kyu --broker redis://localhost:6379 demo",
            "  kyu demo --serve          (keep the worker running until Ctrl-C)"
        })
public final class DemoCommand extends KyuCommand {
    @Option(
            names = "--orders",
            paramLabel = "N",
            description = "Orders to place, 1..100000 (default: ${DEFAULT-VALUE}).")
    int orders = 20;

    @Option(
            names = "--serve",
            description = "Keep the worker (and the dashboard, when installed) running until Ctrl-C.")
    boolean serve;

    @Option(
            names = {"-c", "--concurrency"},
            paramLabel = "N",
            description = "Worker concurrency (default: ${DEFAULT-VALUE}).")
    int concurrency = 20;

    @Option(
            names = "--payment-failure-rate",
            paramLabel = "P",
            hidden = true,
            description = "Chance a payment attempt times out, 0..1 (default: 0.2).")
    double failureRate = 0.2;

    @Override
    public Integer call() throws InterruptedException {
        if (orders < 1 || orders > 100_000)
            throw new KyuException.InvalidInput("--orders must be 1..100000, was " + orders);
        if (failureRate < 0 || failureRate > 1)
            throw new KyuException.InvalidInput("--payment-failure-rate must be 0..1, was " + failureRate);
        String runId = UUID.randomUUID().toString().substring(0, 6);
        var tally = new DemoTally();
        Kyu kyu = root().connect(Kyu.builder()
                .listener(tally)
                .maintenance(MaintenanceOptions.DEFAULTS.withPromoteInterval(Duration.ofMillis(100))));
        var blocking = new Blocking().closeAtEnd(kyu);
        try {
            var shop = new ShopTasks(failureRate);
            shop.all().forEach(kyu::register);
            err().println("placing " + orders + " orders on " + kyu.admin().brokerDescription() + " …");
            err().flush();
            long start = System.nanoTime();
            // Every workflow is followed before the worker starts, so no outcome can come first.
            for (Order o : orderList(runId))
                tally.watch(kyu.enqueue(shop.order(o)).id(), o.orderId());
            Worker worker = kyu.worker(WorkerOptions.builder()
                            .queues(ShopTasks.QUEUE)
                            .concurrency(concurrency)
                            .shutdownGrace(Duration.ofSeconds(5))
                            .build())
                    .start();
            blocking.closeAtEnd(worker);
            var bar = new ProgressBar(err(), "orders", orders, root().stderrIsTerminal());
            long deadline =
                    start + Duration.ofMinutes(2).plusMillis(orders * 100L).toNanos();
            int ended = tally.awaitFinished(orders, deadline, bar::set);
            bar.finish();
            Duration wall = Duration.ofNanos(System.nanoTime() - start);
            if (ended < orders)
                throw new WorkFailed("demo stopped waiting: " + ended + " of " + orders + " orders finished in "
                        + wall.toSeconds() + "s");
            new DemoSummary(output(), root().brokerUrl()).print(tally, orders, wall);
            if (!serve) {
                worker.close();
                kyu.close();
                return ExitCode.OK;
            }
        } catch (RuntimeException | InterruptedException e) {
            blocking.closeNow();
            throw e;
        }
        EmbeddedDashboard.Running dashboard =
                Hooks.dashboard().map(d -> d.start(kyu)).orElse(null);
        if (dashboard != null) {
            blocking.closeAtEnd(dashboard);
            output().line("Dashboard: " + dashboard.url());
        }
        output().line("The worker keeps running on queue " + ShopTasks.QUEUE + "; press Ctrl-C to stop.");
        blocking.awaitShutdown();
        return ExitCode.OK;
    }

    /** The orders; every fifth pays with the test card that is always declined. */
    private List<Order> orderList(String runId) {
        var list = new ArrayList<Order>(orders);
        var random = ThreadLocalRandom.current();
        for (int i = 1; i <= orders; i++) {
            String id = "order-" + runId + "-" + i;
            String card = i % 5 == 0 ? Order.DECLINED_CARD : String.format("%04d", random.nextInt(1000, 10_000));
            list.add(new Order(
                    id,
                    "customer" + random.nextInt(1, 1000) + "@example.com",
                    random.nextInt(1, 6),
                    random.nextLong(500, 25_000),
                    card));
        }
        return list;
    }
}
