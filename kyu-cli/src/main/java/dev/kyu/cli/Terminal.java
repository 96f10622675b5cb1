package dev.kyu.cli;

import java.io.Console;

/** Whether the process talks to a terminal, for progress bars that redraw in place. */
final class Terminal {
    private Terminal() {}

    static boolean stderrIsTerminal() {
        if (System.getenv("TERM") == null || "dumb".equals(System.getenv("TERM"))) return false;
        Console console = System.console();
        if (console == null) return false;
        // From Java 22 System.console() exists even when redirected; Console.isTerminal() tells the truth.
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }
}
