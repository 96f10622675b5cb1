package dev.kyu.broker.postgres;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Wakes blocked fetchers in this process. A fetcher reads the generation before it queries, then waits
 * for the generation to move on, so a wake-up that arrives between its query and its wait is never lost.
 */
final class WakeSignal {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private long generation;
    private boolean closed;

    long generation() {
        lock.lock();
        try {
            return generation;
        } finally {
            lock.unlock();
        }
    }

    void wake() {
        lock.lock();
        try {
            generation++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void close() {
        lock.lock();
        try {
            closed = true;
            generation++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /** Waits up to {@code nanos} for the generation to pass {@code seen}; false when it timed out. */
    boolean awaitAfter(long seen, long nanos) throws InterruptedException {
        lock.lock();
        try {
            long left = nanos;
            while (generation == seen && !closed) {
                if (left <= 0) return false;
                left = changed.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    static long millis(long ms) {
        return TimeUnit.MILLISECONDS.toNanos(ms);
    }
}
