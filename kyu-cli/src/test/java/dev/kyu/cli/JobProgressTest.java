package dev.kyu.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kyu.job.Job;
import dev.kyu.job.JobOptions;
import dev.kyu.job.Progress;
import dev.kyu.spi.Completion;
import dev.kyu.spi.FetchRequest;
import dev.kyu.spi.LeaseExtension;
import dev.kyu.spi.Outcome;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code kyu job} shows a job's progress and fencing token, as text and in --json. */
class JobProgressTest extends CliTestBase {
    @Test
    void jobShowsTheProgressItsTaskLastReported() throws Exception {
        String id = kyu.enqueueJson("kyu.echo", "{}", JobOptions.NONE).id();
        var noProgress = cli.run("job", id, "--json");
        assertThat(noProgress.json().get("progress").isNull()).isTrue();
        assertThat(noProgress.json().get("fence").asLong()).isZero();
        assertThat(cli.run("job", id).out()).doesNotContain("progress");

        Job running = kyu.broker()
                .jobsFetch(new FetchRequest("w", List.of("default"), 1, Duration.ofMinutes(1), Duration.ZERO))
                .get(0);
        kyu.broker()
                .leasesExtend(new LeaseExtension(
                        "w",
                        List.of(running.lease()),
                        Duration.ofMinutes(1),
                        Map.of(id, new Progress(0.426, "resized 42 of 100"))));
        kyu.broker().jobsComplete(List.of(new Completion(running.lease(), new Outcome.Succeeded("{}"))));

        var human = cli.run("job", id);
        assertThat(human.exitCode()).as(human.toString()).isZero();
        assertThat(human.out()).contains("progress     42%  resized 42 of 100");
        var json = cli.run("job", id, "--json").json();
        assertThat(json.get("progress").get("fraction").asDouble()).isEqualTo(0.426);
        assertThat(json.get("progress").get("message").asText()).isEqualTo("resized 42 of 100");
        assertThat(json.get("fence").asLong()).isEqualTo(1);
        assertThat(kyu.handle(id).progress()).contains(new Progress(0.426, "resized 42 of 100"));
    }
}
