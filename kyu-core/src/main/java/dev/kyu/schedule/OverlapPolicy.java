package dev.kyu.schedule;

import java.util.Locale;

/** Whether a tick may start while the schedule's previous tick is still waiting or running. */
public enum OverlapPolicy {
    /** Enqueue every tick, whatever became of the previous one (the default). */
    ALLOW("allow"),
    /** Skip a tick while the previous tick's job is SCHEDULED, QUEUED or RUNNING. */
    SKIP("skip");

    private final String text;

    OverlapPolicy(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }

    public static OverlapPolicy parse(String value) {
        for (var p : values()) {
            if (p.text.equals(value.trim().toLowerCase(Locale.ROOT))) return p;
        }
        throw new IllegalArgumentException("unknown overlap policy '" + value + "': expected allow or skip");
    }
}
