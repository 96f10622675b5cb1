package dev.kyu.bench;

import dev.kyu.bench.figure.BenchConfig;
import dev.kyu.bench.figure.Measurement;
import dev.kyu.bench.figure.Sample;
import dev.kyu.bench.figure.Sustained;
import dev.kyu.bench.report.Figure;
import dev.kyu.bench.subject.Subject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs each measurement {@code runs} times on one subject and gathers each figure's samples across runs
 * into a {@link Figure} (median, min, max). Figures keep the order in which they were first produced.
 */
public final class Runner {
    private final BenchConfig config;
    private final java.io.PrintStream progress;

    public Runner(BenchConfig config, java.io.PrintStream progress) {
        this.config = config;
        this.progress = progress;
    }

    public List<Figure> run(Subject subject, List<Measurement> measurements) throws InterruptedException {
        var samples = new LinkedHashMap<String, List<Sample>>();
        for (Measurement m : measurements) {
            if (m instanceof Sustained s) {
                List<Sample> drain = samples.get("drain");
                if (drain != null)
                    s.defaultRate((int) Math.max(
                            1,
                            dev.kyu.bench.report.Stats.median(
                                            drain.stream().map(Sample::value).toList())
                                    / 2));
            }
            for (int run = 1; run <= config.runs(); run++) {
                progress.printf(
                        "%s: %s run %d/%d …%n", subject.label(), m.getClass().getSimpleName(), run, config.runs());
                // The previous run's garbage (its jobs, deleted after it) is collected here, outside any timing,
                // so that its collection is not charged to this run (it was, on memory:, whose store is this heap).
                System.gc();
                for (Sample s : m.run(subject, config, run))
                    samples.computeIfAbsent(s.figure(), k -> new ArrayList<>()).add(s);
            }
        }
        return gather(subject.label(), subject.note(), config.concurrency(), samples);
    }

    /** Turns per-run samples into figures; public for the harness's own tests. */
    public static List<Figure> gather(String label, String note, int concurrency, Map<String, List<Sample>> samples) {
        var out = new ArrayList<Figure>();
        for (var e : samples.entrySet()) {
            List<Sample> ss = e.getValue();
            Sample first = ss.get(0);
            var series = new ArrayList<Map<String, Object>>();
            ss.forEach(s -> series.addAll(s.series()));
            boolean usesWorkers = !first.figure().startsWith("enqueue");
            out.add(new Figure(
                    label,
                    e.getKey(),
                    first.unit(),
                    ss.stream().map(Sample::value).toList(),
                    first.jobs(),
                    usesWorkers ? concurrency : 0,
                    note,
                    series));
        }
        return out;
    }
}
