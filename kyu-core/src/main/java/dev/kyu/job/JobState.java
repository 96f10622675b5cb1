package dev.kyu.job;

import java.util.EnumSet;
import java.util.Set;

/**
 * The states of a job (see docs/concepts.md for the diagram).
 *
 * <pre>
 * BLOCKED ---------+
 *                  v
 * SCHEDULED -> QUEUED -> RUNNING -> SUCCEEDED | FAILED | CANCELLED
 *     ^                     |
 *     +---- retry back-off -+
 * </pre>
 */
public enum JobState {
    /** Waits for other jobs to end (a workflow step): {@link JobLinks#waitsFor()} above zero. Never fetched. */
    BLOCKED,
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
    /** Not started and runnable once due; BLOCKED jobs are not in it. */
    public static final Set<JobState> WAITING = EnumSet.of(SCHEDULED, QUEUED);

    public boolean isTerminal() {
        return TERMINAL.contains(this);
    }

    /** Parses a state name case-insensitively, with an error that lists the valid names. */
    public static JobState parse(String name) {
        for (JobState s : values()) {
            if (s.name().equalsIgnoreCase(name.trim())) return s;
        }
        throw new IllegalArgumentException("unknown job state " + dev.kyu.codec.Printable.quoted(name)
                + ": expected one of " + java.util.Arrays.toString(values()));
    }
}
