package dev.kyu.cli.commands;

import dev.kyu.Kyu;
import dev.kyu.cli.Converters;
import dev.kyu.cli.ExitCode;
import dev.kyu.cli.KyuCommand;
import dev.kyu.flow.AgingRule;
import dev.kyu.job.Durations;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kyu aging set QUEUE --every D --ceiling N}: sets or replaces a queue's aging; workers apply it at once. */
@Command(
        name = "set",
        description =
                "Age a queue: every D, its jobs that waited longer than D rise by one priority, up to the ceiling.",
        footer = {"", "Example:", "  kyu aging set reports --every 1m --ceiling 5"})
public final class AgingSetCommand extends KyuCommand {
    @Parameters(index = "0", paramLabel = "QUEUE", description = "The queue.")
    String queue;

    @Option(
            names = "--every",
            required = true,
            paramLabel = "D",
            converter = Converters.DurationConverter.class,
            description = "The length of one step, at least 1s: 30s, 1m, 1h.")
    Duration every;

    @Option(
            names = "--ceiling",
            required = true,
            paramLabel = "N",
            description = "The highest priority aging raises a job to; jobs at or above it are left alone.")
    int ceiling;

    @Override
    public Integer call() {
        new AgingRule(queue, every, ceiling); // checked before connecting: a bad rule is refused without a broker
        try (Kyu kyu = connectShared()) {
            AgingRule rule = kyu.aging().set(queue, every, ceiling);
            output().line("queue " + rule.queue() + " ages: each " + Durations.format(rule.every())
                    + " a job waits, its priority rises by one, up to " + rule.ceiling());
            return ExitCode.OK;
        }
    }
}
