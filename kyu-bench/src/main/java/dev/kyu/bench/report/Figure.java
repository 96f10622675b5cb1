package dev.kyu.bench.report;

import java.util.List;
import java.util.Map;

/**
 * One reported figure: the value of every run, summarised as median, min and max. {@code series} holds
 * optional time series (the sustained-load figures keep one point per second per run).
 *
 * @param broker      what was measured (the broker URL with its password hidden, or a compared system)
 * @param figure      the figure's stable name, e.g. {@code drain}, {@code latency-p99}
 * @param unit        e.g. {@code jobs/s}, {@code ms}, {@code MiB}, {@code cpu-s/1000 jobs}
 * @param runs        each run's value, in run order
 * @param jobs        jobs per run
 * @param concurrency worker concurrency (0 where no worker runs)
 * @param note        how it was measured where that differs from the usual (e.g. one JVM for memory:)
 */
public record Figure(
        String broker,
        String figure,
        String unit,
        List<Double> runs,
        long jobs,
        int concurrency,
        String note,
        List<Map<String, Object>> series) {
    public Figure {
        runs = List.copyOf(runs);
        if (runs.isEmpty()) throw new IllegalArgumentException("figure " + figure + " has no runs");
        series = series == null ? List.of() : List.copyOf(series);
    }

    public double median() {
        return Stats.median(runs);
    }

    public double min() {
        return Stats.min(runs);
    }

    public double max() {
        return Stats.max(runs);
    }
}
