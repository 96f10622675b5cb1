package dev.kyu.cli.demo;

import dev.kyu.cli.Output;
import dev.kyu.spi.BrokerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/** Prints the demo's result: what happened, how fast, where the data lives and what to try next. */
public final class DemoSummary {
    private final Output out;
    private final String brokerUrl;

    public DemoSummary(Output out, String brokerUrl) {
        this.out = out;
        this.brokerUrl = brokerUrl;
    }

    public void print(DemoTally t, int orders, Duration wall) {
        double seconds = Math.max(wall.toNanos() / 1e9, 0.001);
        out.line("");
        out.line("Kyu demo: " + orders + " orders, 4 steps each");
        out.line(String.format(Locale.ROOT, "  orders done      %6d of %d", t.done(), orders));
        out.line(String.format(Locale.ROOT, "  orders failed    %6d", t.failed()));
        out.line(String.format(Locale.ROOT, "  retries          %6d   (payments declined now and then, retried after 150 ms)", t.retries()));
        out.line(String.format(Locale.ROOT, "  jobs run         %6d", t.jobsRun()));
        out.line(String.format(Locale.ROOT, "  throughput       %6.0f jobs/s", t.jobsRun() / seconds));
        out.line(String.format(Locale.ROOT, "  wall time        %6.2f s", seconds));
        out.line("");
        if (brokerUrl.regionMatches(true, 0, "memory:", 0, 7)) {
            out.line("The jobs lived in memory and are gone with this process; without --broker they stay in sqlite:kyu.db.");
            return;
        }
        out.line("The jobs stay in " + where() + ". Try next:");
        String kyu = "kyu" + (brokerUrl.equals("sqlite:kyu.db") ? "" : " --broker '" + BrokerConfig.redact(brokerUrl) + "'");
        out.line("  " + kyu + " inspect queues");
        out.line("  " + kyu + " inspect jobs --queue " + ShopTasks.QUEUE + " --limit 10");
        out.line("  " + kyu + " inspect jobs --task " + ShopTasks.CHARGE + " --state FAILED");
        if (t.retriedJobId() != null) out.line("  " + kyu + " job " + t.retriedJobId() + "     (a payment that was retried)");
        out.line("  " + kyu + " worker --help");
    }

    private String where() {
        String redacted = BrokerConfig.redact(brokerUrl);
        if (!brokerUrl.regionMatches(true, 0, "sqlite:", 0, 7)) return redacted;
        String path = brokerUrl.substring(7).replaceFirst("\\?.*$", "");
        return redacted + " (" + Path.of(path).toAbsolutePath().normalize() + ")";
    }
}
