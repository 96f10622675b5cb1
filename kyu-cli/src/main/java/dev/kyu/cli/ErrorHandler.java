package dev.kyu.cli;

import dev.kyu.KyuException;
import dev.kyu.codec.Printable;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IExitCodeExceptionMapper;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * The one place where errors become exit codes and messages (docs/cli.md): 2 for bad usage or bad input,
 * 1 when the work failed (a waited job failed, the broker is unavailable), always exactly one line on
 * stderr, {@code kyu: <reason>}, and a stack trace only with {@code --verbose}. The line is escaped
 * ({@link Printable#line}): a bad value the user gave (a queue name with a newline, a terminal escape) is
 * shown whole, never cut at its first line break nor played on the terminal.
 */
final class ErrorHandler implements IParameterExceptionHandler, IExecutionExceptionHandler, IExitCodeExceptionMapper {
    private final KyuCli root;

    ErrorHandler(KyuCli root) {
        this.root = root;
    }

    @Override
    public int handleParseException(ParameterException e, String[] args) {
        PrintWriter err = e.getCommandLine().getErr();
        String help = e.getCommandLine().getCommandSpec().qualifiedName();
        err.println("kyu: " + Printable.line(plain(e)) + " (see '" + help + " --help')");
        if (root.verbose()) e.printStackTrace(err);
        err.flush();
        return ExitCode.USAGE;
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine cl, ParseResult parseResult) {
        PrintWriter err = cl.getErr();
        Throwable cause = unwrap(e);
        err.println("kyu: " + Printable.line(message(cause)));
        if (root.verbose()) e.printStackTrace(err);
        err.flush();
        return exitCode(cause);
    }

    @Override
    public int getExitCode(Throwable exception) {
        return exitCode(unwrap(exception));
    }

    static int exitCode(Throwable t) {
        return switch (t) {
            case ParameterException p -> ExitCode.USAGE;
            case KyuException.InvalidInput i -> ExitCode.USAGE;
            case IllegalArgumentException i -> ExitCode.USAGE;
            case java.time.DateTimeException d -> ExitCode.USAGE;
            default -> ExitCode.FAILED;
        };
    }

    static String message(Throwable t) {
        return switch (t) {
            // Kyu's own messages about bad input are one line that may quote the bad value: shown whole.
            case KyuException.InvalidInput k -> whole(k.getMessage());
            case KyuException k -> firstLine(k.getMessage());
            case IllegalArgumentException i -> whole(i.getMessage());
            case InterruptedException i -> "interrupted";
            default -> "unexpected error: " + firstLine(String.valueOf(t)) + " (run with --verbose for details)";
        };
    }

    /** The Kyu error inside wrappers (executor and reflection exceptions), else the exception itself. */
    private static Throwable unwrap(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof KyuException || c instanceof IllegalArgumentException) return c;
            if (c.getCause() == c) break;
        }
        return t;
    }

    private static String whole(String s) {
        return s == null || s.isBlank() ? "error" : s.strip();
    }

    private static String firstLine(String s) {
        if (s == null || s.isBlank()) return "error";
        return s.lines()
                .map(String::strip)
                .filter(l -> !l.isEmpty())
                .findFirst()
                .orElse(s.strip());
    }

    /** picocli's message in Kyu's words: a first word that is not a command is called that, and its quirks are smoothed. */
    private static String plain(ParameterException e) {
        String m = whole(e.getMessage());
        if (e instanceof picocli.CommandLine.UnmatchedArgumentException u
                && !u.getCommandLine().getSubcommands().isEmpty()
                && !u.getUnmatched().isEmpty()
                && !u.getUnmatched().get(0).startsWith("-")) {
            var subs = new java.util.ArrayList<>(
                    u.getCommandLine().getSubcommands().keySet());
            subs.remove("help");
            return "unknown command '" + u.getUnmatched().get(0) + "': expected one of " + String.join(", ", subs);
        }
        if (m.startsWith("Error: ")) m = m.substring(7);
        return m.replace("option option", "option");
    }
}
