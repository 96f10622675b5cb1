package dev.kyu.bench.figure;

import dev.kyu.bench.subject.Subject;
import java.util.List;

/** One kind of measurement (enqueue, drain, latency, sustained); each run yields one or more samples. */
public interface Measurement {
    /** The name used by {@code --figures}. */
    String name();

    List<Sample> run(Subject subject, BenchConfig config, int run) throws InterruptedException;
}
