package dev.kyu.dashboard.schedule;

import java.time.Instant;
import java.util.List;

/**
 * What the schedules page and {@code /api/schedules} need from periodic schedules: list them with their
 * last and next fire, pause, resume, and fire one now. Kept behind this small seam so the dashboard
 * does not depend on how schedules are stored; {@link #none()} stands in where none are configured.
 */
public interface ScheduleSource {
    /** One schedule as shown; {@code cron} may also be an interval such as {@code every 30s}. */
    record ScheduleView(
            String name,
            String task,
            String queue,
            String cron,
            String zone,
            boolean paused,
            Instant lastFire,
            Instant nextFire) {}

    boolean available();

    List<ScheduleView> list();

    /** Each action returns false when there is no schedule of that name. */
    boolean pause(String name);

    boolean resume(String name);

    /** Enqueues the schedule's job now, outside its timetable; returns the job id, or null when unknown. */
    String runNow(String name);

    static ScheduleSource none() {
        return new ScheduleSource() {
            public boolean available() {
                return false;
            }

            public List<ScheduleView> list() {
                return List.of();
            }

            public boolean pause(String name) {
                return false;
            }

            public boolean resume(String name) {
                return false;
            }

            public String runNow(String name) {
                return null;
            }
        };
    }
}
