package dev.kyu.schedule;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What a schedule does with ticks that came due while no scheduler ran (downtime, a long pause of the
 * process). A tick that is late by no more than the scheduler's grace (one minute by default) is on time,
 * not missed, under every policy.
 */
public enum MissedTickPolicy {
    /** Drop missed ticks; fire only a tick that is on time. */
    SKIP("skip"),
    /** Fire once for any number of missed ticks, as the latest of them (the default). */
    FIRE_ONCE("fire-once"),
    /** Fire every missed tick, oldest first, but no more than the schedule's catch-up limit (the latest ones). */
    CATCH_UP("catch-up");

    private final String text;

    MissedTickPolicy(String text) {
        this.text = text;
    }

    /** The name used in schedule files and JSON. */
    public String text() {
        return text;
    }

    public static MissedTickPolicy parse(String value) {
        for (var p : values()) {
            if (p.text.equals(value.trim().toLowerCase(Locale.ROOT)) || p.name().equalsIgnoreCase(value.trim()))
                return p;
        }
        throw new IllegalArgumentException("unknown missed-tick policy '" + value + "': expected one of "
                + Arrays.stream(values()).map(MissedTickPolicy::text).collect(Collectors.joining(", ")));
    }
}
