package dev.kyu.bench.figure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kyu.bench.subject.KyuSubject;
import dev.kyu.spi.JobQuery;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The workflow figure, in small shapes, on SQLite with a worker JVM: every figure reported, nothing left behind. */
class WorkflowsTest {
    @TempDir
    Path dir;

    @Test
    void reportsTheChordBesidePlainJobsAndBothFanInsThenCleansUp() throws Exception {
        String url = "sqlite:" + dir.resolve("bench.db");
        var config = new BenchConfig(100, 100, 100, 8, 1, 1, 1, 0, 1);
        try (var subject = new KyuSubject(url, 0)) {
            List<Sample> samples = new Workflows(20, 10, 50).run(subject, config, 1);
            Map<String, Sample> by = samples.stream().collect(Collectors.toMap(Sample::figure, Function.identity()));
            assertThat(by)
                    .containsOnlyKeys(
                            "workflow-plain-21",
                            "workflow-chord-1-20-1",
                            "workflow-chord-overhead",
                            "workflow-fan-in-10",
                            "workflow-fan-in-50",
                            "workflow-fan-in-ratio");
            for (String f :
                    List.of("workflow-plain-21", "workflow-chord-1-20-1", "workflow-fan-in-10", "workflow-fan-in-50")) {
                assertThat(by.get(f).value()).as(f).isPositive();
                assertThat(by.get(f).unit()).isEqualTo("ms");
            }
            assertThat(by.get("workflow-chord-1-20-1").jobs()).isEqualTo(22);
            assertThat(by.get("workflow-fan-in-ratio").unit()).isEqualTo("x");
        }
        try (var kyu = dev.kyu.Kyu.connect(url)) {
            // the plain jobs, every step and every end job deleted after the run
            assertThat(kyu.broker().jobsList(JobQuery.all(10_000)).stream()
                            .filter(j -> j.queue().startsWith("bench-workflow")))
                    .isEmpty();
        }
    }
}
