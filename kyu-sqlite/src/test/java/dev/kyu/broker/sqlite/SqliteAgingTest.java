package dev.kyu.broker.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kyu.ManualClock;
import dev.kyu.flow.Aging;
import dev.kyu.flow.AgingRule;
import dev.kyu.job.JobIds;
import dev.kyu.maintenance.Maintenance;
import dev.kyu.maintenance.MaintenanceOptions;
import dev.kyu.spi.EnqueueRequest;
import dev.kyu.spi.NewJob;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Priority aging across processes: two broker instances on one file (each with its own connections, as two
 * processes) see the same rules, and their maintenance loops, looking at once, take each step once.
 */
class SqliteAgingTest {
    private static final Duration STEP = Duration.ofMinutes(1);

    @TempDir
    Path dir;

    @Test
    void twoProcessesSeeOneRuleAndAgeOncePerStep() throws Exception {
        var clock = new ManualClock(Instant.parse("2026-03-01T12:00:00Z"));
        Path file = dir.resolve("shared.db");
        try (SqliteBroker a = SqliteTesting.open(file, clock);
                SqliteBroker b = SqliteTesting.open(file, clock);
                var threads = Executors.newFixedThreadPool(4)) {
            new Aging(a).set("q", STEP, 6);
            assertThat(new Aging(b).list()).containsExactly(new AgingRule("q", STEP, 6));

            NewJob job = NewJob.builder(JobIds.next(clock), "t")
                    .queue("q")
                    .args("{}")
                    .priority(0)
                    .build();
            a.jobsEnqueue(EnqueueRequest.of(List.of(job)));
            clock.advance(Duration.ofSeconds(1));
            var loops = List.of(
                    new Maintenance(a, MaintenanceOptions.DEFAULTS), new Maintenance(b, MaintenanceOptions.DEFAULTS));

            for (int step = 1; step <= 8; step++) {
                clock.advance(STEP);
                var looks = new ArrayList<Callable<Integer>>();
                for (int i = 0; i < 6; i++) looks.add(loops.get(i % 2)::age);
                int raised = 0;
                for (var f : threads.invokeAll(looks)) raised += f.get();
                assertThat(raised).as("step %d", step).isEqualTo(step <= 6 ? 1 : 0);
                assertThat(b.jobGet(job.id()).orElseThrow().priority()).isEqualTo(Math.min(step, 6));
            }
        }
    }
}
