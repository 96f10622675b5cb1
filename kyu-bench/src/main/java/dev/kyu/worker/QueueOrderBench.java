package dev.kyu.worker;

import java.util.List;
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
 * The queue order drawn before every fetch. It lives in kyu-core's package because the class is package
 * private there; this module only reads it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class QueueOrderBench {
    private final QueueOrder strict = new QueueOrder(List.of("high", "default", "low"), Map.of());
    private final QueueOrder weighted =
            new QueueOrder(List.of("high", "default", "low"), Map.of("high", 6, "default", 3, "low", 1));

    @Benchmark
    public List<String> strictOrder() {
        return strict.next();
    }

    @Benchmark
    public List<String> weightedOrder() {
        return weighted.next();
    }
}
