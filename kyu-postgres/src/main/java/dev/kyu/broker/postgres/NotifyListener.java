package dev.kyu.broker.postgres;

import dev.kyu.spi.WakeSignal;
import java.lang.reflect.Field;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.PGStream;
import org.postgresql.core.QueryExecutorBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds one dedicated connection (outside the pool) that LISTENs on the schema's channel and wakes this
 * process's fetchers on every NOTIFY that names a queue one of them fetches, and its awaiters on every
 * {@code ended <id>} that names a job one of them awaits ({@link AwaitedJobs}). The thread blocks in a socket
 * read ({@code getNotifications(timeout)} waits on the socket, it does not sleep), so a notification is
 * handed on as soon as it arrives; the timeout only bounds how long a keep-alive ping may wait. When the connection breaks (a database restart, a network cut) it
 * reports itself down, so fetchers poll meanwhile, and reconnects with a growing pause; once back it
 * wakes everyone, since notifications sent while it was away are gone.
 */
final class NotifyListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NotifyListener.class);
    private static final long PING_EVERY_MS = 10_000;

    private final String jdbcUrl;
    private final Properties props;
    private final String channel;
    private final WakeSignal signal;
    private final WaitingQueues waiting;
    private final AwaitedJobs awaited;
    private final String redacted;
    private final Thread thread;
    private volatile boolean up;
    private volatile boolean closed;
    private volatile Connection conn;

    NotifyListener(
            String jdbcUrl,
            Properties props,
            String channel,
            WakeSignal signal,
            WaitingQueues waiting,
            AwaitedJobs awaited,
            String redacted) {
        this.jdbcUrl = jdbcUrl;
        this.props = props;
        this.channel = channel;
        this.signal = signal;
        this.waiting = waiting;
        this.awaited = awaited;
        this.redacted = redacted;
        this.thread = Thread.ofPlatform().daemon().name("kyu-pg-listen").unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    /** True while LISTEN is in place, so a NOTIFY will reach this process. */
    boolean isUp() {
        return up;
    }

    private void run() {
        long pauseMs = 100;
        while (!closed) {
            try (Connection c = new org.postgresql.Driver().connect(jdbcUrl, props)) {
                if (c == null) throw new SQLException("driver refused URL");
                conn = c;
                try (Statement st = c.createStatement()) {
                    st.execute("LISTEN \"" + channel + "\"");
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                noPeekAfterNotifications(c);
                if (!up) log.debug("listening for new jobs on {} channel {}", redacted, channel);
                up = true;
                pauseMs = 100;
                signal.wake();
                awaited.wakeAll();
                long lastPing = System.currentTimeMillis();
                while (!closed) {
                    PGNotification[] notes = pg.getNotifications(500);
                    if (wanted(notes)) signal.wake();
                    if (System.currentTimeMillis() - lastPing > PING_EVERY_MS) {
                        // a half-open TCP connection shows no error until something is sent
                        try (Statement st = c.createStatement()) {
                            st.execute("SELECT 1");
                        }
                        lastPing = System.currentTimeMillis();
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (closed) break;
                if (up)
                    log.warn(
                            "LISTEN connection to {} lost ({}); polling until it is back",
                            redacted,
                            dev.kyu.Causes.oneLine(e));
                log.debug("LISTEN connection failed", e);
                up = false;
                signal.wake();
                awaited.wakeAll();
                try {
                    Thread.sleep(pauseMs);
                } catch (InterruptedException ie) {
                    break;
                }
                pauseMs = Math.min(pauseMs * 2, 2000);
            } finally {
                conn = null;
            }
        }
        up = false;
    }

    /**
     * pgjdbc's getNotifications, having read a notification, asks whether more are waiting with a read
     * that blocks for up to 1 ms (PGStream.hasMessagePending). That check is meant to run at most once a
     * second, but its throttle is armed only when the read returns, never when it times out, which is
     * what it does on an idle listening connection: left alone, every NOTIFY would reach the fetchers a
     * millisecond late. Arming the throttle for good leaves the check looking only at bytes already received; a
     * notification that comes later is read by the next getNotifications, which blocks on the socket.
     * These are pgjdbc's internals: if they differ, the millisecond stays and nothing else changes.
     */
    static boolean noPeekAfterNotifications(Connection c) {
        try {
            Object executor = c.unwrap(BaseConnection.class).getQueryExecutor();
            Field stream = QueryExecutorBase.class.getDeclaredField("pgStream");
            stream.setAccessible(true);
            Field nextCheck = PGStream.class.getDeclaredField("nextStreamAvailableCheckTime");
            nextCheck.setAccessible(true);
            nextCheck.setLong(stream.get(executor), Long.MAX_VALUE);
            return true;
        } catch (ReflectiveOperationException | SQLException | RuntimeException e) {
            log.debug("cannot skip pgjdbc's 1 ms wait after each notification: {}", e.toString());
            return false;
        }
    }

    private boolean wanted(PGNotification[] notes) {
        if (notes == null) return false;
        boolean wanted = false;
        for (PGNotification n : notes) {
            if (!awaited.offer(n.getParameter()) && waiting.wants(n.getParameter())) wanted = true;
        }
        return wanted;
    }

    @Override
    public void close() {
        closed = true;
        Connection c = conn;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
