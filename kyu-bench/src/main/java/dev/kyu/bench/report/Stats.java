package dev.kyu.bench.report;

import java.util.Arrays;
import java.util.List;

/**
 * The few statistics the harness reports: median, min and max of repeated runs, and percentiles of
 * latency samples. Percentiles use the nearest-rank method (the value at rank ceil(p/100 * n)), so a
 * reported p99 is always a latency that some job really had.
 */
public final class Stats {
    private Stats() {}

    public static double median(List<Double> values) {
        double[] v = sorted(values);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
    }

    public static double min(List<Double> values) {
        return sorted(values)[0];
    }

    public static double max(List<Double> values) {
        double[] v = sorted(values);
        return v[v.length - 1];
    }

    /** The nearest-rank percentile {@code p} (0 < p <= 100). */
    public static double percentile(List<Double> values, double p) {
        if (p <= 0 || p > 100) throw new IllegalArgumentException("percentile must be in (0, 100], was " + p);
        return percentileOfSorted(sorted(values), p);
    }

    /** The same on an already sorted array, for callers that take several percentiles of one sample. */
    public static double percentileOfSorted(double[] sorted, double p) {
        if (sorted.length == 0) throw new IllegalArgumentException("no values");
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
    }

    public static double[] sorted(List<Double> values) {
        if (values == null || values.isEmpty()) throw new IllegalArgumentException("no values");
        double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(v);
        return v;
    }
}
