package dev.kyu.cli;

/** The exit codes of {@code kyu} (docs/cli.md), a contract scripts rely on. */
public final class ExitCode {
    /** Done as asked. */
    public static final int OK = 0;
    /** The work failed: a waited job ended FAILED or CANCELLED, a job was not found, the broker is unavailable. */
    public static final int FAILED = 1;
    /** Bad usage or bad input: unknown option, bad JSON, bad duration, unknown state, bad broker URL. */
    public static final int USAGE = 2;

    private ExitCode() {}
}
