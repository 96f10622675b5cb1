package dev.kyu.cli.commands;

import dev.kyu.Kyu;
import dev.kyu.cli.ExitCode;
import dev.kyu.cli.KyuCommand;
import dev.kyu.flow.KeySource;
import dev.kyu.flow.Limit;
import dev.kyu.flow.LimitJson;
import dev.kyu.flow.LimitText;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/**
 * {@code kyu limits set NAME …}: defines or replaces a limit. Everything is checked before the broker is
 * opened, so bad input stores nothing.
 */
@Command(
        name = "set",
        description = {
            "Define a limit, or replace the one of that name (its state, such as slots and pauses, is kept).",
            "Give the jobs it applies to (--task or --queue) and its rule (--rate or --concurrency)."
        },
        footer = {
            "",
            "Rates are N/PERIOD: 100/1s, 10/1m, 5/250ms, 1000/1h. A rate spreads its jobs over the period;",
            "--burst lets that many start at once after a quiet spell (default 1).",
            "Keys: args:/json/pointer (a value in the job's args), meta:NAME (a meta value of the job),",
            "fn:NAME (a KeyFunction registered under that name in the workers). With a key, each key has the limit on its own.",
            "",
            "Examples:",
            "  kyu limits set payments --task shop.charge-payment --rate 100/1s",
            "  kyu limits set payments --task shop.charge-payment --rate 100/1s --burst 20",
            "  kyu limits set webhooks --task webhook.deliver --rate 10/1m --key args:/customer",
            "  kyu limits set tenants --queue reports --concurrency 2 --key meta:tenant",
            "  kyu limits set imports --queue imports --concurrency 5 --json"
        })
public final class LimitsSetCommand extends KyuCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "The limit's name: 1-100 of a-z A-Z 0-9 _ . : -")
    String name;

    @Option(names = "--task", paramLabel = "TASK", description = "Limit the jobs of this task.")
    String task;

    @Option(names = "--queue", paramLabel = "QUEUE", description = "Limit the jobs of this queue.")
    String queue;

    @Option(
            names = "--rate",
            paramLabel = "N/PERIOD",
            description = "At most N jobs started per PERIOD, e.g. 100/1s or 10/1m.")
    String rate;

    @Option(
            names = "--concurrency",
            paramLabel = "N",
            description = "At most N jobs running at once, over every worker.")
    Long concurrency;

    @Option(
            names = "--burst",
            paramLabel = "B",
            description = "With --rate: how many may start at once after a quiet spell (default 1).")
    Long burst;

    @Option(
            names = "--key",
            paramLabel = "SOURCE",
            description = "Apply the limit to each key on its own: args:/pointer, meta:NAME or fn:NAME.")
    String key;

    @Option(names = "--json", description = "Print the stored limit as JSON.")
    boolean json;

    @Override
    public Integer call() {
        Limit limit = limit();
        try (Kyu kyu = connectShared()) {
            boolean replaced = kyu.limits().get(limit.name()).isPresent();
            kyu.limits().define(limit);
            if (json) {
                output().json(LimitJson.limit(limit));
            } else {
                output().line("limit " + limit.name() + (replaced ? " replaced: " : " set: ") + LimitText.target(limit)
                        + ", " + LimitText.rule(limit) + (limit.keyed() ? ", per key " + limit.key() : ""));
            }
            return ExitCode.OK;
        }
    }

    /** The limit the options describe; a usage error naming what is missing or wrong. */
    Limit limit() {
        if ((task == null) == (queue == null))
            throw usage(
                    task == null
                            ? "give the jobs the limit applies to: --task TASK or --queue QUEUE"
                            : "give either --task or --queue, not both");
        if ((rate == null) == (concurrency == null))
            throw usage(
                    rate == null
                            ? "give the limit's rule: --rate N/PERIOD or --concurrency N"
                            : "give either --rate or --concurrency, not both");
        if (burst != null && rate == null) throw usage("--burst applies to a --rate only");
        Limit.Target target = task != null ? Limit.Target.task(task) : Limit.Target.queue(queue);
        Limit limit;
        if (rate != null) {
            LimitText.Rate r = LimitText.parseRate(rate);
            limit = new Limit(name, target, Limit.Kind.RATE, r.permits(), r.period(), burst == null ? 1 : burst, null);
        } else {
            limit = new Limit(name, target, Limit.Kind.CONCURRENCY, concurrency, null, 0, null);
        }
        return key == null ? limit : limit.perKey(KeySource.parse(key));
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
