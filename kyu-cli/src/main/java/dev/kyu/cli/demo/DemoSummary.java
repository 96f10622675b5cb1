package dev.kyu.cli.demo;

import dev.kyu.cli.Output;
import dev.kyu.spi.BrokerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Prints the demo's result: each order's outcome, the totals, where the data lives and what to try next. */
public final class DemoSummary {
    /** Orders listed one per line; past this many the rest are counted. */
    static final int LISTED = 20;

    private final Output out;
    private final String brokerUrl;

    public DemoSummary(Output out, String brokerUrl) {
        this.out = out;
        this.brokerUrl = brokerUrl;
    }

    public void print(DemoTally t, int orders, Duration wall) {
        double seconds = Math.max(wall.toNanos() / 1e9, 0.001);
        out.line("");
        orders(t.outcomes());
        out.line("");
        out.line("Kyu demo: " + orders
                + " orders, one workflow each (reserve stock -> charge payment -> ship + confirm)");
        out.line(String.format(Locale.ROOT, "  orders done      %6d of %d", t.done(), orders));
        out.line(String.format(
                Locale.ROOT,
                "  orders failed    %6d   (cards declined; their stock released by %d compensations)",
                t.failed(),
                t.compensated()));
        out.line(String.format(
                Locale.ROOT, "  retries          %6d   (card network timeouts, retried after 150 ms)", t.retries()));
        out.line(String.format(Locale.ROOT, "  jobs run         %6d", t.jobsRun()));
        out.line(String.format(Locale.ROOT, "  throughput       %6.0f jobs/s", t.jobsRun() / seconds));
        out.line(String.format(Locale.ROOT, "  wall time        %6.2f s", seconds));
        out.line("");
        if (brokerUrl.regionMatches(true, 0, "memory:", 0, 7)) {
            out.line(
                    "The jobs lived in memory and are gone with this process; without --broker they stay in sqlite:kyu.db.");
            return;
        }
        out.line("The workflows and their jobs stay in " + where() + ". Try next:");
        String kyu =
                "kyu" + (brokerUrl.equals("sqlite:kyu.db") ? "" : " --broker '" + BrokerConfig.redact(brokerUrl) + "'");
        out.line("  " + kyu + " inspect workflows");
        if (t.failedWorkflowId() != null)
            out.line("  " + kyu + " workflow " + t.failedWorkflowId() + "     (an order whose card was declined)");
        out.line("  " + kyu + " inspect queues");
        out.line("  " + kyu + " inspect jobs --task " + ShopTasks.RELEASE);
        if (t.retriedJobId() != null)
            out.line("  " + kyu + " job " + t.retriedJobId() + "     (a payment that was retried)");
        out.line("  " + kyu + " demo --serve     (the same with the dashboard, workflows drawn as graphs)");
    }

    /** One line per order: its outcome in words and the workflow id to look it up by. */
    private void orders(List<DemoTally.OrderOutcome> all) {
        var rows = new ArrayList<List<String>>();
        for (var o : all.subList(0, Math.min(LISTED, all.size()))) {
            rows.add(List.of(
                    o.orderId(), o.state() == null ? "RUNNING" : o.state().name(), outcome(o), o.workflowId()));
        }
        out.table(List.of("ORDER", "STATE", "OUTCOME", "WORKFLOW"), rows);
        if (all.size() > LISTED) out.line("… and " + (all.size() - LISTED) + " more orders (kyu inspect workflows)");
    }

    private static String outcome(DemoTally.OrderOutcome o) {
        if (o.state() == null) return "still running";
        return switch (o.state()) {
            case SUCCEEDED -> "stock reserved, paid, shipped, confirmation sent";
            case RUNNING -> "still running";
            default ->
                (o.failed().contains("charge") ? "payment declined" : "failed at " + String.join(", ", o.failed()))
                        + (o.compensations() == 0
                                ? ""
                                : o.compensated() >= o.compensations() ? "; stock released" : "; releasing stock");
        };
    }

    private String where() {
        String redacted = BrokerConfig.redact(brokerUrl);
        if (!brokerUrl.regionMatches(true, 0, "sqlite:", 0, 7)) return redacted;
        String path = brokerUrl.substring(7).replaceFirst("\\?.*$", "");
        return redacted + " (" + Path.of(path).toAbsolutePath().normalize() + ")";
    }
}
