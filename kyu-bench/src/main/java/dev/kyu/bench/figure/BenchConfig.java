package dev.kyu.bench.figure;

/**
 * What one benchmark pass is asked to do.
 *
 * @param jobs             N: jobs per drain run and per batched-enqueue run
 * @param singleJobs       jobs per single-call enqueue run (smaller than N so a slow broker stays in budget)
 * @param batchSize        jobs per batched enqueue call
 * @param concurrency      worker concurrency
 * @param latencyJobs      jobs per latency run
 * @param latencyGapMs     pause between the latency run's enqueues
 * @param sustainedSeconds length of a sustained-load run
 * @param sustainedRate    jobs/s offered during sustained load; 0 = half the drain median (or 1,000/s)
 * @param runs             runs per figure
 */
public record BenchConfig(
        int jobs,
        int singleJobs,
        int batchSize,
        int concurrency,
        int latencyJobs,
        int latencyGapMs,
        int sustainedSeconds,
        int sustainedRate,
        int runs) {
    public BenchConfig {
        positive("jobs", jobs);
        positive("single-jobs", singleJobs);
        positive("batch-size", batchSize);
        positive("concurrency", concurrency);
        positive("latency-jobs", latencyJobs);
        positive("latency-gap-ms", latencyGapMs);
        positive("sustained-seconds", sustainedSeconds);
        if (sustainedRate < 0)
            throw new IllegalArgumentException("sustained-rate must not be negative, was " + sustainedRate);
        positive("runs", runs);
    }

    private static void positive(String name, int v) {
        if (v < 1) throw new IllegalArgumentException(name + " must be at least 1, was " + v);
    }
}
