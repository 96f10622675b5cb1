package dev.kyu.bench.proc;

/** Workers started for a measurement: where they run (for /proc sampling) and how to stop them. */
public interface WorkerHandle extends AutoCloseable {
    /** The pid of the process the workers run in. */
    long pid();

    /** The pids of every process the workers run in, for CPU and memory accounting: {@link #pid} at least. */
    default java.util.List<Long> pids() {
        return java.util.List.of(pid());
    }

    /** True when the workers share the harness's own JVM (memory:), so their figures include the producer. */
    boolean inProcess();

    @Override
    void close();
}
