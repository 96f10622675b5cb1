package dev.kyu.bench.jmh;

import dev.kyu.codec.JobJson;
import dev.kyu.codec.JsonCodec;
import dev.kyu.job.Job;
import dev.kyu.job.JobIds;
import dev.kyu.job.JobState;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The JSON work on every job's path: args encoded at enqueue and decoded into the task's record at run
 * time, the id minted at enqueue, and a whole job written as the dashboard and CLI show it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBench {
    public record Order(String id, long cents, String currency, java.util.List<String> items) {}

    private final JsonCodec codec = JsonCodec.shared();
    private final Order order = new Order("ord-42", 12_999, "EUR", java.util.List.of("book", "pen", "lamp"));
    private final String orderJson = codec.encode(order);
    private final Job job = Job.builder()
            .id(JobIds.next())
            .task("orders.pay")
            .queue("default")
            .args(orderJson)
            .state(JobState.SUCCEEDED)
            .attempt(1)
            .maxAttempts(3)
            .enqueuedAt(Instant.now())
            .scheduledAt(Instant.now())
            .startedAt(Instant.now())
            .finishedAt(Instant.now())
            .result("null")
            .meta(Map.of("trace", "abc"))
            .build();

    @Benchmark
    public String encodeArgs() {
        return codec.encode(order);
    }

    @Benchmark
    public Order decodeArgs() {
        return codec.decode(orderJson, Order.class);
    }

    @Benchmark
    public Object parseNoopArgs() {
        return codec.parse("null");
    }

    @Benchmark
    public String mintJobId() {
        return JobIds.next();
    }

    @Benchmark
    public String jobToJson() {
        return JobJson.job(job).toString();
    }
}
