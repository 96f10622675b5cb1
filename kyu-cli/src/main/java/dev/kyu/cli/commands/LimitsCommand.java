package dev.kyu.cli.commands;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.kyu.Kyu;
import dev.kyu.KyuException;
import dev.kyu.cli.ExitCode;
import dev.kyu.cli.KyuCommand;
import dev.kyu.cli.Output;
import dev.kyu.flow.Limit;
import dev.kyu.flow.LimitJson;
import dev.kyu.flow.LimitText;
import dev.kyu.flow.Limits;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kyu limits}: the fleet's flow limits (docs/flow-control.md), listed with what they hold back now;
 * its subcommands set, show, pause and remove one. Limits live in the broker: workers pick up a change
 * within {@link Limits#REFRESH}, without a restart.
 */
@Command(
        name = "limits",
        description = {
            "List the flow limits (rate and concurrency, per task or queue, per key) with the jobs they hold back now.",
            "Limits live in the broker: workers pick up a change within 2 seconds, without a restart."
        },
        subcommands = {
            LimitsSetCommand.class,
            LimitsShowCommand.class,
            LimitsPauseCommand.class,
            LimitsRemoveCommand.class
        },
        footer = {
            "",
            "Columns: WAITING jobs held back now, RUNNING concurrency slots taken, PAUSES pauses in force",
            "('all 25s' for the whole limit, 'N keys' for keys paused on their own).",
            "",
            "Examples:",
            "  kyu limits",
            "  kyu limits set payments --task shop.charge-payment --rate 100/1s",
            "  kyu limits set webhooks --task webhook.deliver --rate 10/1m --key args:/customer",
            "  kyu limits set imports --queue imports --concurrency 5",
            "  kyu limits pause webhooks --key cust-42 --for 30s",
            "  kyu limits show payments --json",
            "  kyu limits remove imports",
            "",
            "--json prints an array of {\"name\", \"target\": \"task:NAME\", \"kind\": \"RATE\", \"permits\", \"periodMs\", \"burst\", \"key\",",
            "\"rule\": \"100/1s\", \"waiting\", \"running\", \"pausedUntil\": {KEY: INSTANT}} (the key \"\" pauses the whole limit)."
        })
public final class LimitsCommand extends KyuCommand {
    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
        try (Kyu kyu = connectShared()) {
            Limits limits = kyu.limits();
            var statuses = new ArrayList<Limits.LimitStatus>();
            for (Limit l : limits.list()) {
                try {
                    statuses.add(limits.status(l.name()));
                } catch (KyuException.InvalidInput removedMeanwhile) {
                    // removed between the list and its status: not a limit any more
                }
            }
            unreadable(kyu);
            if (json) {
                ArrayNode a = JsonNodeFactory.instance.arrayNode();
                statuses.forEach(s -> a.add(LimitJson.status(s)));
                output().json(a);
                return ExitCode.OK;
            }
            if (statuses.isEmpty()) {
                output().line("no limits on " + kyu.admin().brokerDescription()
                        + " (set one with 'kyu limits set', see 'kyu limits --help')");
                return ExitCode.OK;
            }
            Instant now = kyu.clock().instant();
            var rows = new ArrayList<List<String>>();
            for (var s : statuses) {
                Limit l = s.limit();
                rows.add(List.of(
                        l.name(),
                        LimitText.target(l),
                        LimitText.rule(l),
                        l.key() == null ? "-" : l.key().toString(),
                        Long.toString(s.waiting()),
                        l.kind() == Limit.Kind.CONCURRENCY ? s.running() + "/" + l.permits() : "-",
                        pauses(s, now)));
            }
            output().table(List.of("NAME", "TARGET", "RULE", "KEY", "WAITING", "RUNNING", "PAUSES"), rows);
            return ExitCode.OK;
        }
    }

    /**
     * A definition this version cannot read (written by a newer one, or by hand) is left out of the list by
     * {@link Limits#list}; it is named here on stderr so that it is not silently invisible.
     */
    private void unreadable(Kyu kyu) {
        String prefix = "kyu.flow.limit/"; // the definitions' keys, as documented in dev.kyu.flow's package-info
        for (var e : kyu.broker().kvList(prefix).entrySet()) {
            try {
                dev.kyu.flow.LimitCodec.decode(e.getValue());
            } catch (RuntimeException ex) {
                err().println(dev.kyu.codec.Printable.line(
                        "kyu: limit " + e.getKey().substring(prefix.length())
                                + ": its stored definition cannot be read by this version (" + ex.getMessage() + ")"));
                err().flush();
            }
        }
    }

    /** "-", "all 25s", "3 keys" or "all 25s, 3 keys". */
    static String pauses(Limits.LimitStatus s, Instant now) {
        var parts = new ArrayList<String>();
        Instant all = s.pausedUntil().get("");
        if (all != null) parts.add("all " + Output.human(Duration.between(now, all)));
        long keys = s.pausedUntil().keySet().stream().filter(k -> !k.isEmpty()).count();
        if (keys > 0) parts.add(keys + (keys == 1 ? " key" : " keys"));
        return parts.isEmpty() ? "-" : String.join(", ", parts);
    }
}
