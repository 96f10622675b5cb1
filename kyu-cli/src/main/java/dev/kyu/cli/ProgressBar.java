package dev.kyu.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A progress bar on stderr. On a terminal it redraws one line in place with {@code \r} (at most ten
 * times a second); otherwise (a log file, a CI job) it prints a plain line every tenth of the way, so
 * logs stay readable. Not thread-safe on its own: callers that update from several threads synchronise.
 */
public final class ProgressBar {
    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintWriter err;
    private final String label;
    private final long total;
    private final boolean terminal;
    private long done;
    private long lastDraw;
    private int lastDecile = -1;
    private long lastPrinted = -1;
    private boolean finished;

    public ProgressBar(PrintWriter err, String label, long total, boolean terminal) {
        this.err = err;
        this.label = label;
        this.total = Math.max(1, total);
        this.terminal = terminal;
    }

    public synchronized void step(long n) {
        set(done + n);
    }

    public synchronized void set(long value) {
        done = Math.min(total, Math.max(0, value));
        if (terminal) {
            long now = System.nanoTime();
            if (now - lastDraw >= REDRAW_NANOS || done == total) {
                lastDraw = now;
                err.print("\r" + render());
                err.flush();
            }
        } else {
            int decile = (int) (done * 10 / total);
            if (decile > lastDecile) {
                lastDecile = decile;
                printLine();
            }
        }
    }

    /** Ends the bar's line; call once, after the last update. */
    public synchronized void finish() {
        if (finished) return;
        finished = true;
        if (terminal) {
            err.print("\r" + render() + "\n");
            err.flush();
        } else if (lastPrinted != done) {
            printLine();
        }
    }

    private void printLine() {
        lastPrinted = done;
        err.println(label + ": " + done + "/" + total + " (" + done * 100 / total + "%)");
        err.flush();
    }

    String render() {
        int filled = (int) (done * WIDTH / total);
        return String.format(
                Locale.ROOT,
                "%s [%s%s] %d/%d %3d%%",
                label,
                "#".repeat(filled),
                ".".repeat(WIDTH - filled),
                done,
                total,
                done * 100 / total);
    }
}
