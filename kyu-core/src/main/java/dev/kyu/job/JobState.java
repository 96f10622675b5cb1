package dev.kyu.job;

import java.util.EnumSet;
import java.util.Set;

/**
 * The states of a job (see docs/concepts.md for the diagram).
 *
 * <pre>
 * SCHEDULED -> QUEUED -> RUNNING -> SUCCEEDED | FAILED | CANCELLED
 *     ^                     |
 *     +---- retry back-off -+
 * </pre>
 */
public enum JobState {
    /** Not due yet: waits for its {@code scheduledAt}. */
    SCHEDULED,
    /** Due and waiting for a worker. */
    QUEUED,
    /** Leased by exactly one worker. */
    RUNNING,
    /** Finished with a result. */
    SUCCEEDED,
    /** Dead letter: no attempts left or a non-retryable error. Kept and retryable by hand. */
    FAILED,
    /** Cancelled before or while running. */
    CANCELLED;

    public static final Set<JobState> TERMINAL = EnumSet.of(SUCCEEDED, FAILED, CANCELLED);
    public static final Set<JobState> WAITING = EnumSet.of(SCHEDULED, QUEUED);

    public boolean isTerminal() {
        return TERMINAL.contains(this);
    }

    /** Parses a state name case-insensitively, with an error that lists the valid names. */
    public static JobState parse(String name) {
        for (JobState s : values()) {
            if (s.name().equalsIgnoreCase(name.trim())) return s;
        }
        throw new IllegalArgumentException("unknown job state " + dev.kyu.codec.Printable.quoted(name) + ": expected one of " + java.util.Arrays.toString(values()));
    }
}
