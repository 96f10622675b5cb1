package dev.kyu.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kyu.job.Job;
import dev.kyu.job.JobOptions;
import dev.kyu.job.Progress;
import dev.kyu.spi.FetchRequest;
import dev.kyu.spi.LeaseExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A running job's reported progress on the job and jobs pages (a bar) and in the job's JSON. */
class ProgressTest {
    private final DashboardFixture f = new DashboardFixture();

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void progressShowsAsABarOnTheJobAndJobsPagesAndInTheApi() throws Exception {
        String id = f.kyu.enqueue("kyu.noop", null, JobOptions.NONE).id();
        assertThat(f.get("/jobs/" + id).body()).doesNotContain("<progress");
        Job running = f.kyu.broker()
                .jobsFetch(new FetchRequest("w", List.of("default"), 1, Duration.ofMinutes(1), Duration.ZERO))
                .get(0);
        f.kyu.broker()
                .leasesExtend(new LeaseExtension(
                        "w",
                        List.of(running.lease()),
                        Duration.ofMinutes(1),
                        Map.of(id, new Progress(0.42, "resized <b>42</b> of 100"))));

        String bar = "<progress max=\"100\" value=\"42\"";
        assertThat(f.get("/jobs/" + id).body())
                .contains("<dt>Progress</dt>", bar, "42% resized &lt;b&gt;42&lt;/b&gt; of 100")
                .doesNotContain("<b>42</b>");
        assertThat(f.get("/jobs?state=RUNNING").body()).contains(bar);
        var json = DashboardFixture.json(f.get("/api/jobs/" + id).body());
        assertThat(json.get("progress").get("fraction").asDouble()).isEqualTo(0.42);
        assertThat(json.get("progress").get("message").asText()).isEqualTo("resized <b>42</b> of 100");
        assertThat(json.get("fence").asLong()).isEqualTo(1);
    }
}
