package dev.kyu.bench.jmh;

import dev.kyu.job.Backoff;
import java.time.Duration;
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

/** Retry back-off: the delay computed on every failed attempt, and the spec stored with and read from each job. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BackoffBench {
    private final Backoff backoff = Backoff.exponential(Duration.ofSeconds(1), Duration.ofMinutes(10));
    private int attempt;

    @Benchmark
    public Duration delayAfter() {
        attempt = attempt % 20 + 1;
        return backoff.delayAfter(attempt);
    }

    @Benchmark
    public String toSpec() {
        return backoff.toSpec();
    }

    @Benchmark
    public Backoff parseSpec() {
        return Backoff.parse("exp:1s:10m");
    }
}
