package dev.kyu.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What every subcommand shares: the root's global options (broker, verbose), the output streams, and
 * standard help. A subcommand implements {@link #call()} and returns an {@link ExitCode}.
 */
@Command(
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        sortOptions = false,
        usageHelpAutoWidth = true)
public abstract class KyuCommand implements Callable<Integer> {
    @Spec
    protected CommandSpec spec;

    protected KyuCli root() {
        return (KyuCli) spec.root().userObject();
    }

    protected PrintWriter out() {
        return spec.commandLine().getOut();
    }

    protected PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** Connects for a command that acts on a store other processes share (see {@link KyuCli#connectShared}). */
    protected dev.kyu.Kyu connectShared() {
        return root().connectShared(spec.qualifiedName());
    }

    protected Output output() {
        return new Output(out());
    }
}
