package dev.kyu.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class JobOptionsTest {
    @Test
    void perJobOptionsLayerOverTaskDefaultsOverGlobalDefaults() {
        var task = JobOptions.builder()
                .queue("mail")
                .maxAttempts(5)
                .meta("team", "growth")
                .build();
        var job = JobOptions.builder().priority(7).meta("trace", "abc").build();
        var o = job.over(task).over(JobOptions.DEFAULTS);
        assertThat(o.queue()).isEqualTo("mail");
        assertThat(o.priority()).isEqualTo(7);
        assertThat(o.maxAttempts()).isEqualTo(5);
        assertThat(o.backoff()).isEqualTo(Backoff.DEFAULT);
        assertThat(o.meta()).containsEntry("team", "growth").containsEntry("trace", "abc");
    }

    @Test
    void delayAndRunAtReplaceEachOther() {
        var o = JobOptions.builder()
                .delay(Duration.ofSeconds(5))
                .runAt(Instant.parse("2030-01-01T00:00:00Z"))
                .build();
        assertThat(o.delay()).isNull();
        assertThat(o.runAt()).isEqualTo(Instant.parse("2030-01-01T00:00:00Z"));
        var later = JobOptions.builder()
                .delay(Duration.ofMinutes(1))
                .build()
                .over(JobOptions.builder().runAt(Instant.EPOCH).build());
        assertThat(later.runAt())
                .as("a job's own delay wins over a default run-at")
                .isNull();
    }

    @Test
    void badValuesAreRefusedAtBuildTime() {
        assertThatThrownBy(() -> JobOptions.builder().maxAttempts(0).build())
                .hasMessage("maxAttempts must be at least 1, was 0");
        assertThatThrownBy(() -> JobOptions.builder().queue("bad queue!").build())
                .hasMessageContaining("bad queue name 'bad queue!'");
        assertThatThrownBy(() -> JobOptions.builder().timeout(Duration.ZERO).build())
                .hasMessageContaining("timeout must be positive");
        // Times no engine can store, and keys that would quietly match every job that left them empty.
        assertThatThrownBy(() -> JobOptions.builder()
                        .runAt(java.time.Instant.parse("+10000-01-01T00:00:00Z"))
                        .build())
                .hasMessageContaining("runAt must be between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z");
        assertThatThrownBy(() ->
                        JobOptions.builder().delay(Duration.ofDays(40_000)).build())
                .hasMessageContaining("delay must be at most 100 years");
        assertThatThrownBy(() ->
                        JobOptions.builder().unique("", UniqueScope.QUEUED).build())
                .hasMessage("uniqueKey must not be blank");
        assertThatThrownBy(() -> JobOptions.builder().meta(" ", "v").build()).hasMessage("meta keys must not be blank");
    }

    @Test
    void aResultTtlMustBePositiveAndAtMost100YearsAndLayersLikeTheRest() {
        assertThatThrownBy(() -> JobOptions.builder().resultTtl(Duration.ZERO).build())
                .hasMessage("result ttl must be positive, was 0s");
        assertThatThrownBy(() ->
                        JobOptions.builder().resultTtl(Duration.ofMinutes(-1)).build())
                .hasMessageContaining("result ttl must be positive");
        assertThatThrownBy(() ->
                        JobOptions.builder().resultTtl(Duration.ofDays(40_000)).build())
                .hasMessageContaining("result ttl must be at most 100 years");
        var task = JobOptions.builder().resultTtl(Duration.ofDays(30)).build();
        assertThat(JobOptions.NONE.over(task).resultTtl()).isEqualTo(Duration.ofDays(30));
        assertThat(JobOptions.builder()
                        .resultTtl(Duration.ofMinutes(10))
                        .build()
                        .over(task)
                        .resultTtl())
                .isEqualTo(Duration.ofMinutes(10));
        assertThat(JobOptions.NONE.over(JobOptions.DEFAULTS).resultTtl())
                .as("none: the prune's global retention")
                .isNull();
    }
}
