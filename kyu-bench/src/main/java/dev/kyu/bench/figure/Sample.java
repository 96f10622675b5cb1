package dev.kyu.bench.figure;

import java.util.List;
import java.util.Map;

/** One value from one run of a measurement; the runner gathers a figure's samples across runs. */
public record Sample(String figure, String unit, double value, long jobs, List<Map<String, Object>> series) {
    public static Sample of(String figure, String unit, double value, long jobs) {
        return new Sample(figure, unit, value, jobs, List.of());
    }
}
