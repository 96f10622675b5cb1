package dev.kyu.broker.postgres;

import dev.kyu.spi.WakeSignal;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How waiting fetchers and awaiters of one broker learn of new work and ended jobs: the in-process
 * {@link WakeSignal}, the queues and jobs waited on here, and the LISTEN connection that feeds them the
 * schema channel's NOTIFYs. While LISTEN is down (or with listen=false) waiters poll instead.
 */
final class PgWakeups implements AutoCloseable {
    /** How often a waiter re-reads while LISTEN is in place, in case a notification went astray. */
    static final Duration LISTENING_POLL = Duration.ofSeconds(5);

    private final PgSettings settings;
    private final WakeSignal signal = new WakeSignal();
    private final WaitingQueues waiting = new WaitingQueues();
    private final AwaitedJobs awaited = new AwaitedJobs();
    private final NotifyListener listener; // null with listen=false
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    PgWakeups(PgSettings settings, String channel) {
        this.settings = settings;
        this.listener = settings.listen()
                ? new NotifyListener(
                        settings.jdbcUrl(),
                        settings.driverProperties(),
                        channel,
                        signal,
                        waiting,
                        awaited,
                        settings.redacted())
                : null;
    }

    WakeSignal signal() {
        return signal;
    }

    WaitingQueues waiting() {
        return waiting;
    }

    AwaitedJobs awaited() {
        return awaited;
    }

    /**
     * LISTEN starts with the first fetch or await, not at open: a process that only enqueues (a web
     * application) then holds no extra connection, and its commits' NOTIFYs wake no backend and no thread
     * of its own.
     */
    void listenOnFirstUse() {
        if (listener != null && !started.get() && started.compareAndSet(false, true)) listener.start();
    }

    /** True while the LISTEN connection is in place. */
    boolean listening() {
        return listener != null && listener.isUp();
    }

    /** The longest a waiter sleeps between reads: long while NOTIFYs arrive, the poll interval otherwise. */
    Duration pollCap(boolean listening) {
        return listening ? LISTENING_POLL : settings.pollInterval();
    }

    boolean closed() {
        return closed.get();
    }

    /** Wakes every waiter for good; true the first time only. */
    boolean closeOnce() {
        if (!closed.compareAndSet(false, true)) return false;
        signal.close();
        awaited.close();
        if (listener != null) listener.close();
        return true;
    }

    @Override
    public void close() {
        closeOnce();
    }
}
