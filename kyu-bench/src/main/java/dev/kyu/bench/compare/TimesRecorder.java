package dev.kyu.bench.compare;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * In a compared system's worker JVM, keeps each started job's enqueue and start time and writes them to
 * {@code kyu_bench_times} in batches from a thread of its own, so the job itself only appends to a queue.
 * Those systems keep no start time the harness could read afterwards (db-scheduler deletes a finished
 * one-time task's row), hence this.
 */
final class TimesRecorder implements AutoCloseable {
    private final HikariDataSource ds;
    private final String queue;
    private final ConcurrentLinkedQueue<long[]> pending = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean running = true;

    TimesRecorder(HikariDataSource ds, String queue) {
        this.ds = ds;
        this.queue = queue;
        this.thread = Thread.ofPlatform().daemon().name("bench-times").start(this::loop);
    }

    void started(long enqueuedMicros) {
        pending.add(new long[] {enqueuedMicros, nowMicros()});
    }

    static long nowMicros() {
        var t = java.time.Instant.now();
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
    }

    private void loop() {
        while (running || !pending.isEmpty()) {
            flush();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void flush() {
        var batch = new ArrayList<long[]>();
        long[] t;
        while ((t = pending.poll()) != null) batch.add(t);
        if (batch.isEmpty()) return;
        try (Connection c = ds.getConnection();
                var ps = c.prepareStatement(
                        "insert into kyu_bench_times (queue, enqueued_micros, started_micros) values (?, ?, ?)")) {
            for (long[] b : batch) {
                ps.setString(1, queue);
                ps.setLong(2, b[0]);
                ps.setLong(3, b[1]);
                ps.addBatch();
            }
            ps.executeBatch();
        } catch (SQLException e) {
            System.err.println("could not record start times: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
