package dev.kyu.broker.redis;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link DirectConnection}s for one use (the worker's pops, or lone calls), each lent to one caller at a
 * time and kept for the next one afterwards; at most {@code max} are open at once. An idle connection the
 * server closed meanwhile is replaced, not lent. Closing the pool closes every connection, also those
 * lent out, which ends a caller's blocked read.
 */
final class DirectPool implements AutoCloseable {
    private final RedisSettings settings;
    private final int max;
    private final ConcurrentLinkedQueue<DirectConnection> idle = new ConcurrentLinkedQueue<>();
    private final Set<DirectConnection> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger count = new AtomicInteger();
    private volatile boolean closed;

    DirectPool(RedisSettings settings, int max) {
        this.settings = settings;
        this.max = max;
    }

    /** An idle connection that is still open, else a new one; null when {@code max} are open or the pool is closed. */
    DirectConnection borrow() {
        if (closed) return null;
        for (DirectConnection c; (c = idle.poll()) != null; ) {
            if (c.stillOpen()) return c;
            discard(c);
        }
        if (count.incrementAndGet() > max) {
            count.decrementAndGet();
            return null;
        }
        DirectConnection c;
        try {
            c = DirectConnection.open(settings);
        } catch (RuntimeException e) {
            count.decrementAndGet();
            throw e;
        }
        open.add(c);
        if (closed) {
            discard(c);
            return null;
        }
        return c;
    }

    /** Takes a connection back: kept for the next caller when the call left it in step, else closed. */
    void giveBack(DirectConnection c, boolean inStep) {
        if (inStep && !closed && c.sound()) idle.add(c);
        else discard(c);
    }

    private void discard(DirectConnection c) {
        if (open.remove(c)) count.decrementAndGet();
        c.close();
    }

    @Override
    public void close() {
        closed = true;
        for (DirectConnection c : open) c.close();
    }
}
