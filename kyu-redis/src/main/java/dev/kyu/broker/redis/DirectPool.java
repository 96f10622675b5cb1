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
    private DirectConnection borrow() {
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

    /** A call on a lent connection. */
    interface Call<T, E extends Exception> {
        T on(DirectConnection c) throws E;
    }

    /**
     * Runs {@code call} on a lent connection and takes it back: kept when the call ended in step with the
     * server (a reply, or an error reply), closed when it failed in any other way. Null, without a call,
     * when {@link #borrow} finds none.
     */
    <T, E extends Exception> T withConnection(Call<T, E> call) throws E {
        Lent<T> lent = tryWith(call);
        return lent == null ? null : lent.reply();
    }

    /** A call's reply, which may itself be null. */
    record Lent<T>(T reply) {}

    /** {@link #withConnection}, telling a null reply from no connection (null). */
    <T, E extends Exception> Lent<T> tryWith(Call<T, E> call) throws E {
        DirectConnection conn = borrow();
        if (conn == null) return null;
        boolean inStep = false;
        try {
            T reply = call.on(conn);
            inStep = true;
            return new Lent<>(reply);
        } catch (io.lettuce.core.RedisCommandExecutionException e) {
            inStep = true; // the server answered with an error: every reply was read
            throw e;
        } finally {
            giveBack(conn, inStep);
        }
    }

    /** Takes in a connection opened elsewhere (the one that opened the broker), for the next caller. */
    void adopt(DirectConnection c) {
        count.incrementAndGet();
        open.add(c);
        if (closed) discard(c);
        else idle.add(c);
    }

    /** Takes a connection back: kept for the next caller when the call left it in step, else closed. */
    private void giveBack(DirectConnection c, boolean inStep) {
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
