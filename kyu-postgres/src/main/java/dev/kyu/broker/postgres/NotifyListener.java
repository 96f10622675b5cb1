package dev.kyu.broker.postgres;

import dev.kyu.spi.WakeSignal;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds one dedicated connection (outside the pool) that LISTENs on the schema's channel and wakes this
 * process's fetchers on every NOTIFY that names a queue one of them fetches. The thread blocks in a socket
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
    private final String redacted;
    private final Thread thread;
    private volatile boolean up;
    private volatile boolean closed;
    private volatile Connection conn;

    NotifyListener(String jdbcUrl, Properties props, String channel, WakeSignal signal, WaitingQueues waiting, String redacted) {
        this.jdbcUrl = jdbcUrl;
        this.props = props;
        this.channel = channel;
        this.signal = signal;
        this.waiting = waiting;
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
                if (!up) log.debug("listening for new jobs on {} channel {}", redacted, channel);
                up = true;
                pauseMs = 100;
                signal.wake();
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
                if (up) log.warn("LISTEN connection to {} lost ({}); polling until it is back", redacted, e.getMessage());
                up = false;
                signal.wake();
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

    private boolean wanted(PGNotification[] notes) {
        if (notes == null) return false;
        for (PGNotification n : notes) if (waiting.wants(n.getParameter())) return true;
        return false;
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
