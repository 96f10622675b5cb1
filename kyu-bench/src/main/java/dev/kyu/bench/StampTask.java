package dev.kyu.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kyu.task.KyuTask;
import dev.kyu.task.Task;
import java.time.Instant;

/**
 * The task of timed runs (latency, sustained load): a no-op that returns the wall-clock time, in epoch
 * microseconds, at which its body began. A job's latency is that minus its stored enqueue time, so it
 * covers everything before user code runs: the broker's hand-over, the worker's wake-up, decoding and
 * dispatch to a job thread. The broker's own start stamp marks only the lease, which on some engines
 * happens before the worker is awake. Both stamps read the same machine's clock.
 */
public final class StampTask {
    public static final String NAME = "bench.stamp";
    public static final KyuTask<JsonNode, Long> TASK =
            Task.of(NAME, JsonNode.class, (args, ctx) -> micros(Instant.now()));
    /**
     * The same no-op under a name of its own, for the flow figure: its limits target this task, so they never
     * touch the warm-up's {@code kyu.noop} jobs or another figure's stamps.
     */
    public static final String FLOW_NAME = "bench.flow";

    public static final KyuTask<JsonNode, Long> FLOW_TASK =
            Task.of(FLOW_NAME, JsonNode.class, (args, ctx) -> micros(Instant.now()));

    private StampTask() {}

    public static long micros(Instant t) {
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
    }
}
