package dev.kyu.cli.commands;

import dev.kyu.Kyu;
import dev.kyu.cli.ExitCode;
import dev.kyu.cli.KyuCommand;
import dev.kyu.cli.Output;
import dev.kyu.flow.Limit;
import dev.kyu.flow.LimitJson;
import dev.kyu.flow.LimitText;
import dev.kyu.flow.Limits;
import java.time.Duration;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kyu limits show NAME}: one limit, what it holds back and every pause in force. */
@Command(
        name = "show",
        description = "Show one limit: its rule, the jobs it holds back now and every pause in force.",
        footer = {
            "",
            "Examples:",
            "  kyu limits show payments",
            "  kyu limits show payments --json",
            "",
            "--json prints one object of the shape of 'kyu limits --json'."
        })
public final class LimitsShowCommand extends KyuCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "The limit.")
    String name;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
        try (Kyu kyu = connectShared()) {
            Limits.LimitStatus s = kyu.limits().status(name);
            if (json) {
                output().json(LimitJson.status(s));
                return ExitCode.OK;
            }
            Limit l = s.limit();
            Instant now = kyu.clock().instant();
            var o = output();
            o.line("name      " + l.name());
            o.line("target    " + LimitText.target(l));
            o.line("rule      "
                    + (l.kind() == Limit.Kind.RATE
                            ? LimitText.rate(l.permits(), l.period()) + " (" + l.permits() + " per "
                                    + Output.human(l.period()) + ", one every " + Output.human(l.interval())
                                    + ", burst " + l.burst() + ")"
                            : "at most " + l.permits() + " running at once"));
            o.line("key       "
                    + (l.key() == null
                            ? "- (one limit for every job it applies to)"
                            : l.key().toString()));
            o.line("waiting   " + s.waiting());
            if (l.kind() == Limit.Kind.CONCURRENCY) o.line("running   " + s.running() + " of " + l.permits());
            if (s.pausedUntil().isEmpty()) {
                o.line("paused    no");
            } else {
                s.pausedUntil()
                        .forEach((key, until) ->
                                o.line("paused    " + (key.isEmpty() ? "the whole limit" : "key " + key) + " until "
                                        + until + " (" + Output.human(Duration.between(now, until)) + " left)"));
            }
            return ExitCode.OK;
        }
    }
}
