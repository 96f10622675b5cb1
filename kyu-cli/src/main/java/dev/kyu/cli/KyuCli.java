package dev.kyu.cli;

import dev.kyu.Kyu;
import dev.kyu.cli.commands.AgingCommand;
import dev.kyu.cli.commands.BeatCommand;
import dev.kyu.cli.commands.CancelCommand;
import dev.kyu.cli.commands.DashboardCommand;
import dev.kyu.cli.commands.DemoCommand;
import dev.kyu.cli.commands.EnqueueCommand;
import dev.kyu.cli.commands.InspectCommand;
import dev.kyu.cli.commands.JobCommand;
import dev.kyu.cli.commands.LimitsCommand;
import dev.kyu.cli.commands.PauseCommand;
import dev.kyu.cli.commands.PurgeCommand;
import dev.kyu.cli.commands.ResumeCommand;
import dev.kyu.cli.commands.RetryCommand;
import dev.kyu.cli.commands.WorkerCommand;
import dev.kyu.cli.commands.WorkflowCommand;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code kyu} command (docs/cli.md): global options and the list of subcommands. Each subcommand is
 * one class in {@code dev.kyu.cli.commands}; adding one is one entry in {@link #COMMANDS} below.
 * Errors become exit codes in {@link ErrorHandler}; nothing here calls {@code System.exit} but {@link #main}.
 */
@Command(
        name = "kyu",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "Kyu: background jobs for the JVM. Enqueue work, run workers, inspect queues.",
        footer = {
            "",
            "The broker is --broker URL, else the environment variable KYU_BROKER, else sqlite:kyu.db.",
            "Broker URLs: memory:, sqlite:PATH, redis://HOST[:PORT][/DB], rediss://…, postgresql://HOST[:PORT]/DB, amqp://HOST/VHOST?store=URL",
            "",
            "Exit codes: 0 ok, 1 the work failed (a waited job failed, broker unavailable), 2 bad usage or input.",
            "",
            "Examples:",
            "  kyu demo",
            "  kyu worker --queues mail,default --concurrency 20",
            "  kyu enqueue kyu.sleep --args '{\"ms\": 500}' --wait",
            "  kyu --broker redis://localhost:6379 inspect queues"
        })
public final class KyuCli implements java.util.concurrent.Callable<Integer> {
    /**
     * Every command by its name, in the order {@code kyu --help} lists them. Picocli reads a command's
     * annotations (by reflection) when the command is added; a run that names its command gets that one
     * only (see {@link #commandsFor}), which takes most of the CLI's own start time out of a one-shot command.
     */
    static final java.util.SequencedMap<String, Class<?>> COMMANDS = commands();

    private static java.util.SequencedMap<String, Class<?>> commands() {
        var m = new java.util.LinkedHashMap<String, Class<?>>();
        m.put("worker", WorkerCommand.class);
        m.put("beat", BeatCommand.class);
        m.put("enqueue", EnqueueCommand.class);
        m.put("inspect", InspectCommand.class);
        m.put("job", JobCommand.class);
        m.put("workflow", WorkflowCommand.class);
        m.put("retry", RetryCommand.class);
        m.put("cancel", CancelCommand.class);
        m.put("purge", PurgeCommand.class);
        m.put("pause", PauseCommand.class);
        m.put("resume", ResumeCommand.class);
        m.put("limits", LimitsCommand.class);
        m.put("aging", AgingCommand.class);
        m.put("dashboard", DashboardCommand.class);
        m.put("demo", DemoCommand.class);
        m.put("help", CommandLine.HelpCommand.class);
        return java.util.Collections.unmodifiableSequencedMap(m);
    }

    @Option(
            names = "--broker",
            paramLabel = "URL",
            scope = ScopeType.INHERIT,
            description = "Broker URL (default: $KYU_BROKER, else sqlite:kyu.db).")
    String broker;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--verbose",
            scope = ScopeType.INHERIT,
            description = "Print stack traces of errors and debug logs.")
    boolean verbose;

    private boolean stderrIsTerminal;

    /** {@code kyu} alone: a usage error that names the commands. */
    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(
                spec.commandLine(),
                "name a command: " + String.join(", ", spec.subcommands().keySet()));
    }

    /** The broker URL this run uses (an inherited option: it may come before or after the command name): the option, else the environment, else the embedded default. */
    public String brokerUrl() {
        return broker != null && !broker.isBlank() ? broker.trim() : Kyu.defaultBrokerUrl();
    }

    /** Connects to the broker; the caller closes the returned Kyu. */
    public Kyu connect() {
        return connect(Kyu.builder());
    }

    /**
     * Connects for a command whose work outlives it or belongs to other processes (enqueue, cancel,
     * inspect…). A broker that lives inside one process ({@code memory:}, {@code sqlite::memory:}) is refused:
     * the command would act on a store of its own, empty at start and gone at exit.
     */
    public Kyu connectShared(String command) {
        String url = brokerUrl();
        if (url.regionMatches(true, 0, "memory:", 0, 7) || url.equalsIgnoreCase("sqlite::memory:")) {
            throw new dev.kyu.KyuException.BrokerConfig(
                    command + " needs a broker that other processes share, and " + url
                            + " lives inside this one process (its jobs would be gone when the command exits): use sqlite:PATH, redis://…, postgresql://… or amqp://…?store=…");
        }
        return connect();
    }

    /** Connects with a builder the caller has prepared (tasks, listeners). */
    public Kyu connect(Kyu.Builder builder) {
        String url = brokerUrl();
        BrokerUrlCheck.check(url);
        return builder.broker(url).build();
    }

    public boolean verbose() {
        return verbose;
    }

    /** True only when the real process stderr is a terminal, so progress bars may redraw in place. */
    public boolean stderrIsTerminal() {
        return stderrIsTerminal;
    }

    /** A command line with every command that writes to the given streams. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        return commandLine(new KyuCli(), COMMANDS.sequencedValues(), out, err);
    }

    /** The command line {@link #main} runs for these arguments: with only the command they name, when they name one. */
    public static CommandLine commandLine(String[] args, PrintWriter out, PrintWriter err) {
        return commandLine(new KyuCli(), commandsFor(args), out, err);
    }

    /**
     * The commands to register for a run: the one the arguments name (after the global options), else all
     * of them, so that help, a missing command and a misspelt one read exactly as with the full list.
     * {@code help} gets all of them: it names another command.
     */
    static java.util.Collection<Class<?>> commandsFor(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--broker")) {
                i++; // its value
            } else if (a.equals("--")) {
                break;
            } else if (!a.startsWith("-")) {
                Class<?> named = COMMANDS.get(a);
                return named == null || a.equals("help") ? COMMANDS.sequencedValues() : List.of(named);
            }
        }
        return COMMANDS.sequencedValues();
    }

    static CommandLine commandLine(
            KyuCli root, java.util.Collection<Class<?>> commands, PrintWriter out, PrintWriter err) {
        var cl = new CommandLine(root);
        commands.forEach(cl::addSubcommand);
        var errors = new ErrorHandler(root);
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExpandAtFiles(false); // --args @FILE is read by the enqueue command itself
        cl.setParameterExceptionHandler(errors);
        cl.setExecutionExceptionHandler(errors);
        cl.setExitCodeExceptionMapper(errors);
        return cl;
    }

    public static void main(String[] jvmArgs) {
        useUtf8Output();
        String[] args;
        try {
            args = Utf8Args.of(jvmArgs);
        } catch (dev.kyu.KyuException.InvalidInput e) {
            System.err.println("kyu: " + e.getMessage());
            System.exit(ExitCode.USAGE);
            return;
        }
        Logging.configure(java.util.Arrays.asList(args).contains("--verbose"));
        var root = new KyuCli();
        root.stderrIsTerminal = Terminal.stderrIsTerminal();
        var out = new PrintWriter(System.out, true);
        var err = new PrintWriter(System.err, true);
        int code = commandLine(root, commandsFor(args), out, err).execute(args);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /**
     * Kyu prints UTF-8 whatever the locale, as it reads it: JSON is UTF-8 (RFC 8259), and under
     * {@code LC_ALL=C} the JVM's ASCII streams would print {@code ?} for every other character. Logs go
     * through {@code System.err}, so they follow.
     */
    private static void useUtf8Output() {
        var utf8 = java.nio.charset.StandardCharsets.UTF_8;
        if (!utf8.equals(System.out.charset())) {
            System.setOut(new java.io.PrintStream(
                    new java.io.BufferedOutputStream(new java.io.FileOutputStream(java.io.FileDescriptor.out)),
                    true,
                    utf8));
        }
        if (!utf8.equals(System.err.charset())) {
            System.setErr(new java.io.PrintStream(
                    new java.io.BufferedOutputStream(new java.io.FileOutputStream(java.io.FileDescriptor.err)),
                    true,
                    utf8));
        }
    }
}
