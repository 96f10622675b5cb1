package dev.kyu.schedule;

import dev.kyu.KyuException;

/**
 * One thing wrong with a schedule, named by schedule and field so that a user can find it in a file of
 * fifty schedules. Every schedule error Kyu reports is one of these, as one line.
 *
 * @param schedule the schedule's name, or null when the fault is not inside one schedule
 * @param field    the field at fault, or null when the fault is the schedule as a whole
 * @param message  what is wrong and, where known, what would be right
 */
public record Problem(String schedule, String field, String message) {

    public String line() {
        var b = new StringBuilder();
        if (schedule != null) b.append("schedule '").append(schedule).append('\'');
        if (field != null)
            b.append(b.isEmpty() ? "" : ", ").append("field '").append(field).append('\'');
        if (!b.isEmpty()) b.append(": ");
        return b.append(oneLine(message)).toString();
    }

    public KyuException.InvalidInput exception() {
        return new KyuException.InvalidInput(line());
    }

    /** Library messages (cron-utils, SnakeYAML) may span lines; keep them to one. */
    static String oneLine(String text) {
        if (text == null) return "invalid";
        return text.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
