package dev.kyu.broker.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kyu.ManualClock;
import dev.kyu.spi.WorkerInfo;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Times are stamped inside the write transaction: a writer that reads the clock and is then held up
 * cannot commit an earlier time after another writer committed a later one.
 */
class SqliteStampOrderTest {
    @TempDir
    Path dir;

    /** A clock the test moves by hand; the first read by the gated thread returns the time then, but only once opened. */
    static final class GateClock extends Clock {
        private final ManualClock time = new ManualClock();
        private final CountDownLatch entered = new CountDownLatch(1);
        private final CountDownLatch open = new CountDownLatch(1);
        private volatile Thread gated;

        void advance(Duration d) {
            time.advance(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis());
        }

        @Override
        public long millis() {
            long now = time.millis();
            if (Thread.currentThread() == gated) {
                gated = null;
                entered.countDown();
                try {
                    if (!open.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("gate never opened");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return now;
        }
    }

    @Test
    void enqueueStampsFollowCommitOrder() throws Exception {
        assertThat(stampsInCommitOrder(
                        b -> SqliteTesting.enqueue(b, "q"), "SELECT enqueued_at FROM jobs ORDER BY rowid"))
                .isSorted();
    }

    @Test
    void heartbeatStampsFollowCommitOrder() throws Exception {
        var n = new AtomicLong();
        assertThat(stampsInCommitOrder(
                        b -> b.workerHeartbeat(worker("w" + n.incrementAndGet())),
                        "SELECT heartbeat_at FROM workers ORDER BY rowid"))
                .isSorted();
    }

    @Test
    void lockStampsFollowCommitOrder() throws Exception {
        var n = new AtomicLong();
        assertThat(stampsInCommitOrder(
                        b -> b.lockTry("lock-" + n.incrementAndGet(), "owner", Duration.ofMinutes(1)),
                        "SELECT expires_at FROM locks ORDER BY rowid"))
                .isSorted();
    }

    /**
     * Runs {@code write} twice on one broker: the first run is held up in its first clock read while the
     * clock moves on and the second run starts; once the second is waiting for the write lock (or, were
     * the first read taken before the lock, has committed), the first is let go. Returns the stamps
     * {@code sql} reads, in commit (rowid) order.
     */
    private List<Long> stampsInCommitOrder(java.util.function.Consumer<SqliteBroker> write, String sql)
            throws Exception {
        Path file = dir.resolve("order-" + System.nanoTime() + ".db");
        var clock = new GateClock();
        try (SqliteBroker broker = SqliteTesting.open(file, clock)) {
            Thread first = Thread.ofPlatform().unstarted(() -> write.accept(broker));
            clock.gated = first;
            first.start();
            assertThat(clock.entered.await(30, TimeUnit.SECONDS)).isTrue();
            clock.advance(Duration.ofSeconds(1));
            Thread second = Thread.ofPlatform().start(() -> write.accept(broker));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> second.getState() == Thread.State.WAITING || !second.isAlive());
            clock.open.countDown();
            first.join(Duration.ofSeconds(30));
            second.join(Duration.ofSeconds(30));
            assertThat(first.isAlive() || second.isAlive()).isFalse();
            var stamps = new ArrayList<Long>();
            try (Connection c = SqliteTesting.raw(file);
                    ResultSet rs = c.createStatement().executeQuery(sql)) {
                while (rs.next()) stamps.add(rs.getLong(1));
            }
            assertThat(stamps).hasSize(2);
            return stamps;
        }
    }

    private static WorkerInfo worker(String id) {
        return new WorkerInfo(id, "host", 1, List.of("q"), 1, 0, null, null, 0, 0, 0, 0, Map.of());
    }
}
