package dev.kyu.cli.commands;

import dev.kyu.Kyu;
import dev.kyu.KyuException;
import dev.kyu.cli.Converters;
import dev.kyu.cli.ExitCode;
import dev.kyu.cli.KyuCommand;
import dev.kyu.flow.Limit;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kyu limits pause NAME [--key K] --for D}: what a task's {@code RateLimited} does, by hand. */
@Command(
        name = "pause",
        description = {
            "Pause a limit for a while: the jobs it applies to (of one key only, with --key) wait, without spending an attempt.",
            "A pause only ever lengthens: a shorter one than the pause in force changes nothing."
        },
        footer = {
            "",
            "Examples:",
            "  kyu limits pause payments --for 30s",
            "  kyu limits pause webhooks --key cust-42 --for 5m"
        })
public final class LimitsPauseCommand extends KyuCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "The limit.")
    String name;

    @Option(names = "--key", paramLabel = "KEY", description = "Pause this key only (of a limit with a key).")
    String key;

    @Option(
            names = "--for",
            required = true,
            paramLabel = "DURATION",
            converter = Converters.DurationConverter.class,
            description = "How long: 30s, 5m, 1h.")
    Duration duration;

    @Override
    public Integer call() {
        if (key != null && key.isEmpty()) throw new KyuException.InvalidInput("--key must not be empty");
        try (Kyu kyu = connectShared()) {
            Limit limit = kyu.limits()
                    .get(name)
                    .orElseThrow(() -> new KyuException.InvalidInput("no limit named '" + name + "'"));
            if (key != null && !limit.keyed()) {
                throw new KyuException.InvalidInput("limit " + name + " has no key: pause it without --key");
            }
            kyu.limits().pause(name, key, duration);
            // a pause only lengthens: say so when one already in force ends later than the one asked for
            java.time.Instant asked = kyu.clock().instant().plus(duration);
            java.time.Instant until = kyu.limits().status(name).pausedUntil().get(key == null ? "" : key);
            boolean longer = until != null && until.isAfter(asked.plusSeconds(1));
            output().line("limit " + name + (key == null ? "" : " key " + key) + " paused for "
                    + dev.kyu.job.Durations.format(duration)
                    + (longer
                            ? " (a longer pause is in force, until "
                                    + until.truncatedTo(java.time.temporal.ChronoUnit.MILLIS) + ")"
                            : ""));
            return ExitCode.OK;
        }
    }
}
