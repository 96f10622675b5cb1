package dev.kyu.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Keeps a long-running command (worker, demo --serve) alive until the process is told to stop. On
 * SIGTERM or SIGINT the JVM runs the shutdown hook, which closes what the command registered in reverse
 * order (the worker's graceful shutdown first) before the JVM exits. When the waiting thread is
 * interrupted instead (an in-process caller), the same closing runs on that thread.
 */
public final class Blocking {
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private boolean closing;

    /** Registers something to close at shutdown; the last registered closes first. */
    public synchronized Blocking closeAtEnd(AutoCloseable c) {
        toClose.add(c);
        return this;
    }

    /** Blocks until SIGTERM/SIGINT (then never returns: the JVM exits) or until this thread is interrupted. */
    public void awaitShutdown() {
        Thread hook = new Thread(this::closeAll, "kyu-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            closed.await();
        } catch (InterruptedException e) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // the hook is running; it closes everything
            }
            closeAll();
        }
    }

    /** Closes everything registered now, on this thread. */
    public void closeNow() {
        closeAll();
    }

    private void closeAll() {
        synchronized (this) {
            if (closing) return;
            closing = true;
        }
        for (int i = toClose.size() - 1; i >= 0; i--) {
            try {
                toClose.get(i).close();
            } catch (Exception e) {
                System.err.println("kyu: while stopping: " + dev.kyu.codec.Printable.line(String.valueOf(e)));
            }
        }
        closed.countDown();
    }
}
