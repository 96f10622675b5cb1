package dev.kyu.bench.figure;

import dev.kyu.bench.subject.Subject;

/**
 * Waits until a queue has {@code n} finished jobs, reading counts (never logs). The pause between reads
 * grows with the time already waited (1% of it, 2 to 100 ms), so the clock's resolution stays near 1%
 * while the count queries add little load to the broker during long drains.
 */
final class Waiter {
    private Waiter() {}

    /** Returns the nanoTime at which the count was first seen at {@code n} or above. */
    static long awaitFinished(Subject subject, String queue, long n, long startNanos, long timeoutNanos)
            throws InterruptedException {
        while (true) {
            long now = System.nanoTime();
            Subject.Progress p = subject.progress(queue);
            if (p.finished() >= n) return System.nanoTime();
            long waited = now - startNanos;
            if (waited > timeoutNanos) {
                throw new IllegalStateException("queue " + queue + ": only " + p.finished() + " of " + n
                        + " jobs finished within " + timeoutNanos / 1_000_000_000L + " s");
            }
            long pauseMs = Math.max(2, Math.min(100, waited / 100 / 1_000_000));
            Thread.sleep(pauseMs);
        }
    }
}
