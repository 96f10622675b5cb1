package dev.kyu.worker;

import dev.kyu.spi.Broker;
import dev.kyu.spi.WorkerInfo;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this worker's entry in the broker's worker registry fresh: host, pid, queues, concurrency, busy
 * slots, CPU and memory, jobs processed. The dashboard and {@code kyu inspect workers} read it.
 */
final class WorkerRegistration {
    private static final Logger log = LoggerFactory.getLogger(WorkerRegistration.class);

    private final Broker broker;
    private final WorkerOptions options;
    private final IntSupplier concurrency;
    private final IntSupplier busy;
    private final LongSupplier processed;
    private final LongSupplier failed;
    private final Instant startedAt;
    private final String host;
    /** System.nanoTime() of the last heartbeat the broker took; 0 before the first. */
    private volatile long lastBeatNanos;

    WorkerRegistration(
            Broker broker,
            WorkerOptions options,
            IntSupplier concurrency,
            IntSupplier busy,
            LongSupplier processed,
            LongSupplier failed,
            Instant startedAt) {
        this.broker = broker;
        this.options = options;
        this.concurrency = concurrency;
        this.busy = busy;
        this.processed = processed;
        this.failed = failed;
        this.startedAt = startedAt;
        this.host = HostName.get();
    }

    void beat() {
        try {
            broker.workerHeartbeat(new WorkerInfo(
                    options.workerId(),
                    host,
                    ProcessHandle.current().pid(),
                    options.queues(),
                    concurrency.getAsInt(),
                    busy.getAsInt(),
                    startedAt,
                    null,
                    cpuLoad(),
                    residentBytes(),
                    processed.getAsLong(),
                    failed.getAsLong(),
                    Map.of("java", Runtime.version().toString())));
            lastBeatNanos = System.nanoTime();
        } catch (RuntimeException e) {
            log.debug("worker registry heartbeat failed: {}", e.getMessage());
        }
    }

    /** Time since the broker last took this worker's heartbeat, or null before the first. */
    java.time.Duration sinceLastBeat() {
        long at = lastBeatNanos;
        return at == 0 ? null : java.time.Duration.ofNanos(System.nanoTime() - at);
    }

    void remove() {
        try {
            broker.workerRemove(options.workerId());
        } catch (RuntimeException e) {
            log.debug("could not remove worker {} from the registry: {}", options.workerId(), e.getMessage());
        }
    }

    /** This process's share of CPU, 0..1, or -1 when the JVM cannot tell. */
    static double cpuLoad() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuLoad();
        }
        return -1;
    }

    /** Resident set size from /proc on Linux; used heap elsewhere. */
    static long residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not Linux: fall through
        }
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }
}
