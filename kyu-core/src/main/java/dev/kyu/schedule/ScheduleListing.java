package dev.kyu.schedule;

import dev.kyu.codec.JsonCodec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The text of {@code kyu inspect schedules}: a table for people, or the stable JSON array of
 * {@link ScheduleInfo} objects for scripts (documented in docs/scheduling.md).
 */
public final class ScheduleListing {
    private static final String[] HEADER = {"NAME", "TASK", "WHEN", "ZONE", "PAUSED", "LAST FIRE", "NEXT FIRE"};

    private ScheduleListing() {}

    public static String json(List<ScheduleInfo> schedules) {
        return JsonCodec.shared().encode(schedules);
    }

    public static String table(List<ScheduleInfo> schedules) {
        if (schedules.isEmpty()) return "no schedules\n";
        var rows = new ArrayList<String[]>();
        rows.add(HEADER);
        for (ScheduleInfo s : schedules) {
            rows.add(
                    s.problem() != null
                            ? new String[] {
                                s.name(),
                                "-",
                                "unreadable: " + s.problem(),
                                "-",
                                yesNo(s.paused()),
                                time(s.lastFireAt()),
                                "-"
                            }
                            : new String[] {
                                s.name(),
                                s.task(),
                                s.trigger(),
                                s.zone(),
                                yesNo(s.paused()),
                                time(s.lastFireAt()),
                                time(s.nextFireAt())
                            });
        }
        int[] width = new int[HEADER.length];
        for (String[] r : rows) for (int i = 0; i < r.length; i++) width[i] = Math.max(width[i], r[i].length());
        var out = new StringBuilder();
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                out.append(i == r.length - 1 ? r[i] : String.format("%-" + width[i] + "s  ", r[i]));
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static String yesNo(boolean b) {
        return b ? "yes" : "no";
    }

    private static String time(Instant t) {
        return t == null ? "-" : t.toString();
    }
}
