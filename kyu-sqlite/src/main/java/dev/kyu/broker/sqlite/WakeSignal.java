package dev.kyu.broker.sqlite;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Wakes fetchers blocked in this JVM as soon as new work is committed here. A generation counter
 * closes the race between "found nothing" and "start waiting": a fetcher notes the generation before
 * it looks, and a signal sent in between makes its wait return at once.
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

    void signal() {
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

    /** Waits until the generation moves past {@code seen} or the time is up. */
    void await(long seen, long nanos) throws InterruptedException {
        lock.lock();
        try {
            while (generation == seen && !closed && nanos > 0) nanos = changed.awaitNanos(nanos);
        } finally {
            lock.unlock();
        }
    }

    static long millisToNanos(long ms) {
        return TimeUnit.MILLISECONDS.toNanos(ms);
    }
}
