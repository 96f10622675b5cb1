package dev.kyu.cli;

import dev.kyu.KyuException;
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
 * stderr, {@code kyu: <reason>}, and a stack trace only with {@code --verbose}.
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
        err.println("kyu: " + plain(e) + " (see '" + help + " --help')");
        if (root.verbose()) e.printStackTrace(err);
        err.flush();
        return ExitCode.USAGE;
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine cl, ParseResult parseResult) {
        PrintWriter err = cl.getErr();
        Throwable cause = unwrap(e);
        err.println("kyu: " + message(cause));
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
            case KyuException k -> firstLine(k.getMessage());
            case IllegalArgumentException i -> firstLine(i.getMessage());
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

    private static String firstLine(String s) {
        if (s == null || s.isBlank()) return "error";
        return s.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse(s.strip());
    }

    /** picocli's message in Kyu's words: a first word that is not a command is called that, and its quirks are smoothed. */
    private static String plain(ParameterException e) {
        String m = firstLine(e.getMessage());
        if (e instanceof picocli.CommandLine.UnmatchedArgumentException u && !u.getCommandLine().getSubcommands().isEmpty()
                && !u.getUnmatched().isEmpty() && !u.getUnmatched().get(0).startsWith("-")) {
            var subs = new java.util.ArrayList<>(u.getCommandLine().getSubcommands().keySet());
            subs.remove("help");
            return "unknown command '" + u.getUnmatched().get(0) + "': expected one of " + String.join(", ", subs);
        }
        if (m.startsWith("Error: ")) m = m.substring(7);
        return m.replace("option option", "option");
    }
}
