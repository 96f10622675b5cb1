package dev.kyu.dashboard.schedule;

import dev.kyu.schedule.ScheduleAdmin;
import dev.kyu.schedule.ScheduleInfo;
import java.util.List;

/**
 * The schedules every scheduler process has published to the broker, through {@link ScheduleAdmin}: the
 * same list from every dashboard, whether or not a scheduler runs in its process.
 */
public final class BrokerSchedules implements ScheduleSource {
    private final ScheduleAdmin admin;

    public BrokerSchedules(ScheduleAdmin admin) {
        this.admin = admin;
    }

    @Override
    public boolean available() {
        return true;
    }

    @Override
    public List<ScheduleView> list() {
        return admin.list().stream().map(BrokerSchedules::view).toList();
    }

    private static ScheduleView view(ScheduleInfo s) {
        String when = s.cron() != null ? s.cron() : s.every() != null ? "every " + s.every() : "? " + s.problem();
        return new ScheduleView(
                s.name(), s.task(), s.queue(), when, s.zone(), s.paused(), s.lastFireAt(), s.nextFireAt());
    }

    @Override
    public boolean pause(String name) {
        if (admin.get(name).isEmpty()) return false;
        admin.pause(name);
        return true;
    }

    @Override
    public boolean resume(String name) {
        if (admin.get(name).isEmpty()) return false;
        admin.resume(name);
        return true;
    }

    @Override
    public String runNow(String name) {
        if (admin.get(name).isEmpty()) return null;
        return admin.runNow(name);
    }
}
