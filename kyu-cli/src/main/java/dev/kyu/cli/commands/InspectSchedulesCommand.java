package dev.kyu.cli.commands;

import dev.kyu.Kyu;
import dev.kyu.cli.ExitCode;
import dev.kyu.cli.KyuCommand;
import dev.kyu.codec.JsonCodec;
import dev.kyu.schedule.ScheduleAdmin;
import dev.kyu.schedule.ScheduleInfo;
import dev.kyu.schedule.ScheduleListing;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kyu inspect schedules}: every schedule stored in the broker, with paused, last and next fire. */
@Command(
        name = "schedules",
        description = "Show the periodic schedules: when they fire, paused or not, last and next fire.",
        footer = {
            "",
            "Examples:",
            "  kyu inspect schedules",
            "  kyu inspect schedules --json",
            "",
            "--json prints an array of {\"name\", \"task\", \"queue\", \"cron\", \"every\", \"zone\", \"args\", \"missedTicks\",",
            "\"catchUpLimit\", \"overlap\", \"paused\", \"lastFireAt\", \"lastJobId\", \"nextFireAt\", \"problem\"} (docs/scheduling.md)."
        })
public final class InspectSchedulesCommand extends KyuCommand {
    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
        try (Kyu kyu = connectShared()) {
            List<ScheduleInfo> list = new ScheduleAdmin(kyu.broker()).list();
            if (json) {
                output().json(JsonCodec.shared().mapper().valueToTree(list));
            } else if (list.isEmpty()) {
                output().line("no schedules on " + kyu.broker().describe());
            } else {
                out().print(dev.kyu.codec.Printable.block(ScheduleListing.table(list)));
                out().flush();
            }
            return ExitCode.OK;
        }
    }
}
