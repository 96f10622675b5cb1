package dev.kyu.broker.sqlite;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a process that another process has written to the database: every commit in WAL mode appends to
 * the {@code -wal} file next to it, which the operating system reports (inotify on Linux) to a watcher
 * thread. A blocked fetch is then woken at once instead of at its next poll. The wake-up is a hint, never
 * the only way work is found: the poll stays as the fallback where the platform's file watching is slow
 * (polling implementations check every few seconds) or unavailable.
 *
 * <p>The event comes with the write of the WAL frames, before the commit is visible to readers: the sync
 * of the file (a millisecond or more on some disks) and the WAL index update follow, and neither is
 * reported. So a write wakes fetchers 1, 3, 7, 15 ms after it and on, each pause twice the last, up to about
 * a second after it: a sync that a busy disk stretches past the first wake-ups is still met by a later one,
 * where the poll (minutes, when configured so) would be the only other. A write reported meanwhile brings the
 * next wake-up to 1 ms after it and starts the round over. A stream of commits from other processes thus
 * costs a blocked fetch at most one look per millisecond, and a lone commit ten looks.
 */
final class WalWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WalWatch.class);
    /** Pauses before the wake-ups of one round, in ns (1 ms doubling to 512 ms): the commit becomes visible after its sync. */
    private static final long[] STEP_NS = {
        1_000_000,
        2_000_000,
        4_000_000,
        8_000_000,
        16_000_000,
        32_000_000,
        64_000_000,
        128_000_000,
        256_000_000,
        512_000_000
    };

    private final WatchService service;
    private final Thread thread;

    private WalWatch(WatchService service, Path dir, String wal, Runnable wake) {
        this.service = service;
        this.thread = Thread.ofPlatform().daemon().name("kyu-sqlite-watch").unstarted(() -> loop(dir, wal, wake));
    }

    /** Watches the WAL of {@code database}; null (and a debug line) when the platform cannot watch its folder. */
    static WalWatch start(Path database, Runnable wake) {
        Path dir = database.toAbsolutePath().getParent();
        if (dir == null) return null;
        WatchService service = null;
        try {
            service = FileSystems.getDefault().newWatchService();
            dir.register(service, StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_CREATE);
            var watch = new WalWatch(service, dir, database.getFileName() + "-wal", wake);
            watch.thread.start();
            return watch;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            LOG.debug("cannot watch {} for other processes' commits ({}); polling only", dir, e.getMessage());
            if (service != null) closeQuietly(service);
            return null;
        }
    }

    private void loop(Path dir, String wal, Runnable wake) {
        try {
            while (true) {
                WatchKey key = service.take();
                boolean ours = drain(key, wal);
                if (!key.reset()) {
                    LOG.debug("stopped watching {}: the folder is no longer accessible; polling only", dir);
                    return;
                }
                if (!ours) continue;
                // A round of wake-ups: 1 ms after the write, then each pause twice the last (see STEP_NS). A write
                // reported meanwhile brings the next wake-up to 1 ms after it and starts the steps over.
                int step = 0;
                long next = System.nanoTime() + STEP_NS[0];
                while (step < STEP_NS.length) {
                    long left = next - System.nanoTime();
                    WatchKey more = left > 0 ? service.poll(left, TimeUnit.NANOSECONDS) : null;
                    if (more != null) {
                        boolean fresh = drain(more, wal);
                        if (!more.reset()) return;
                        if (fresh) {
                            next = Math.min(next, System.nanoTime() + STEP_NS[0]);
                            step = 0;
                        }
                        continue;
                    }
                    wake.run();
                    if (++step < STEP_NS.length) next = System.nanoTime() + STEP_NS[step];
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed with the broker
        }
    }

    /** Takes the key's events; true when one of them names the WAL file (or the watch overflowed). */
    private static boolean drain(WatchKey key, String wal) {
        boolean hit = false;
        for (WatchEvent<?> e : key.pollEvents()) {
            boolean walWritten = e.context() instanceof Path p && p.toString().equals(wal);
            if (walWritten || e.kind() == StandardWatchEventKinds.OVERFLOW) hit = true;
        }
        return hit;
    }

    @Override
    public void close() {
        closeQuietly(service);
        thread.interrupt();
    }

    private static void closeQuietly(WatchService s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing left to release
        }
    }
}
