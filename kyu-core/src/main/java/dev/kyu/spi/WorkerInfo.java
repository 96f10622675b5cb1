package dev.kyu.spi;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A worker process as it reports itself in its registry heartbeat. {@code heartbeatAt} is set by the
 * engine when it stores the report.
 */
public record WorkerInfo(
        String id,
        String host,
        long pid,
        List<String> queues,
        int concurrency,
        int busy,
        Instant startedAt,
        Instant heartbeatAt,
        double cpuLoad,
        long memoryBytes,
        long processed,
        long failed,
        Map<String, String> meta) {
    public WorkerInfo {
        queues = queues == null ? List.of() : List.copyOf(queues);
        meta = meta == null ? Map.of() : Map.copyOf(meta);
    }

    public WorkerInfo withHeartbeatAt(Instant at) {
        return new WorkerInfo(
                id, host, pid, queues, concurrency, busy, startedAt, at, cpuLoad, memoryBytes, processed, failed, meta);
    }
}
