package dev.kyu.schedule;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Schedules defined in code, for {@code kyu beat} and {@code kyu worker --beat} to find on the class path
 * through {@link ServiceLoader} (list the class in
 * {@code META-INF/services/dev.kyu.schedule.ScheduleBundle}), next to those of a schedule file.
 *
 * <pre>{@code
 * public final class ReportSchedules implements ScheduleBundle {
 *     public List<Schedule> schedules() {
 *         return List.of(Schedule.builder("morning-report", "reports.morning").cron("30 7 * * *").zone("Asia/Tokyo").build());
 *     }
 * }
 * }</pre>
 */
public interface ScheduleBundle {
    List<Schedule> schedules();

    /** Every schedule of every bundle the loader finds. */
    static List<Schedule> loadAll(ClassLoader loader) {
        var out = new ArrayList<Schedule>();
        ServiceLoader.load(ScheduleBundle.class, loader).forEach(b -> out.addAll(b.schedules()));
        return out;
    }
}
