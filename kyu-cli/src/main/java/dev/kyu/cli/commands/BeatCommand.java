package dev.kyu.cli.commands;

import dev.kyu.Kyu;
import dev.kyu.KyuException;
import dev.kyu.cli.Blocking;
import dev.kyu.cli.ExitCode;
import dev.kyu.cli.KyuCommand;
import dev.kyu.schedule.Schedule;
import dev.kyu.schedule.ScheduleBundle;
import dev.kyu.schedule.ScheduleFile;
import dev.kyu.schedule.ScheduleFileException;
import dev.kyu.schedule.Scheduler;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kyu beat}: runs a scheduler until SIGTERM/SIGINT, enqueueing each schedule's ticks as they come
 * due. Its schedules are those of the {@code --schedule} file and of the {@link ScheduleBundle}s on the
 * class path. The file is checked whole before anything starts: every problem is printed, one line each
 * naming schedule and field, and the exit code is 2.
 */
@Command(
        name = "beat",
        description =
                "Run the scheduler: enqueue periodic jobs (cron or interval) as they come due, until stopped (SIGTERM or Ctrl-C).",
        footer = {
            "",
            "Any number of 'kyu beat' (and 'kyu worker --beat') processes may run: each tick is enqueued exactly once.",
            "The file format, cron syntax and DST rules are in docs/scheduling.md.",
            "",
            "Examples:",
            "  kyu beat --schedule schedules.yaml",
            "  kyu beat --schedule schedules.yaml --check"
        })
public final class BeatCommand extends KyuCommand {
    @Option(names = "--schedule", paramLabel = "FILE", description = "The YAML schedule file.")
    Path file;

    @Option(names = "--check", description = "Only check the schedules and print how many there are; do not run.")
    boolean check;

    @Option(
            names = "--alerts",
            paramLabel = "FILE",
            description = "Also evaluate the alert rules of FILE (docs/alerts.md).")
    Path alertsFile;

    @Override
    public Integer call() {
        var alertConfig = alertsFile == null ? null : dev.kyu.alert.AlertFile.read(alertsFile);
        var schedules = new ArrayList<Schedule>();
        if (file != null) {
            try {
                schedules.addAll(ScheduleFile.load(file));
            } catch (ScheduleFileException e) {
                e.problems().forEach(p -> err().println("kyu: " + dev.kyu.codec.Printable.line(String.valueOf(p))));
                err().flush();
                return ExitCode.USAGE;
            }
        }
        schedules.addAll(ScheduleBundle.loadAll(BeatCommand.class.getClassLoader()));
        if (schedules.isEmpty()) {
            throw new KyuException.InvalidInput(
                    "no schedules: give --schedule FILE, or put ScheduleBundle classes on the class path");
        }
        var seen = new java.util.HashSet<String>();
        for (Schedule s : schedules) {
            if (!seen.add(s.name())) {
                throw new KyuException.InvalidInput("schedule '" + s.name()
                        + "' is defined twice (in the file and a ScheduleBundle, or in two bundles)");
            }
        }
        if (check) {
            output().line(schedules.size() + " schedule(s) OK: " + String.join(", ", names(schedules)));
            return ExitCode.OK;
        }
        Kyu kyu = connectShared();
        var blocking = new Blocking().closeAtEnd(kyu);
        try {
            kyu.tasks().registerServiceLoaded(BeatCommand.class.getClassLoader());
            blocking.closeAtEnd(
                    Scheduler.builder(kyu).schedules(schedules).build().start());
            if (alertConfig != null)
                blocking.closeAtEnd(dev.kyu.alert.Alerts.of(kyu, alertConfig).start());
        } catch (RuntimeException e) {
            kyu.close();
            throw e;
        }
        blocking.awaitShutdown();
        return ExitCode.OK;
    }

    private static List<String> names(List<Schedule> schedules) {
        return schedules.stream().map(Schedule::name).toList();
    }
}
