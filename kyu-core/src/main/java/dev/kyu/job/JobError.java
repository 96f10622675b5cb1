package dev.kyu.job;

import java.time.Instant;
import java.util.Objects;

/**
 * The error of one failed attempt: exception type, message and stack trace, kept with the job.
 *
 * @param attempt    the attempt (1-based) that failed
 * @param type       exception class name, or a Kyu reason such as {@code kyu.WorkerLost}
 * @param message    one-line message
 * @param stackTrace full stack trace text, may be empty
 * @param at         when the attempt failed
 */
public record JobError(int attempt, String type, String message, String stackTrace, Instant at) {
    /** The bound on stack trace text kept per attempt, so a deep recursion cannot bloat the store. */
    public static final int MAX_STACK_CHARS = 16 * 1024;

    public JobError {
        Objects.requireNonNull(type, "type");
        message = message == null ? "" : message;
        stackTrace = stackTrace == null ? "" : stackTrace;
        if (stackTrace.length() > MAX_STACK_CHARS) {
            stackTrace = stackTrace.substring(0, MAX_STACK_CHARS) + "\n\t... (truncated)";
        }
    }

    public static JobError of(int attempt, Throwable t, Instant at) {
        var sw = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(sw));
        return new JobError(attempt, t.getClass().getName(), String.valueOf(t.getMessage()), sw.toString(), at);
    }

    public static JobError reason(int attempt, String type, String message, Instant at) {
        return new JobError(attempt, type, message, "", at);
    }

    /** Well-known error types Kyu itself records. */
    public static final String WORKER_LOST = "kyu.WorkerLost";

    public static final String TIMEOUT = "kyu.Timeout";
    public static final String UNKNOWN_TASK = "kyu.UnknownTask";
    public static final String BAD_PAYLOAD = "kyu.BadPayload";
    public static final String CANCELLED = "kyu.Cancelled";
    public static final String CORRUPT = "kyu.CorruptJob";
    /** The job's args version has no upcaster path to the task's version, or an upcaster failed. */
    public static final String BAD_VERSION = "kyu.BadArgsVersion";
}
