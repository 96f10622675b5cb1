package dev.kyu.notify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kyu.ManualClock;
import dev.kyu.job.Job;
import dev.kyu.job.JobError;
import dev.kyu.job.JobState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class FailureDigestTest {
    private final ManualClock clock = new ManualClock(Instant.parse("2026-03-01T10:00:00Z"));
    private final FailureDigest digest = new FailureDigest(clock, Duration.ofMinutes(1));

    private static Job failed(String id, String task) {
        return Job.builder()
                .id(id)
                .task(task)
                .queue("mail")
                .state(JobState.FAILED)
                .attempt(3)
                .maxAttempts(3)
                .errors(List.of(JobError.reason(3, "java.io.IOException", "smtp down\nsecond line", Instant.EPOCH)))
                .build();
    }

    @Test
    void theFirstFailureOfATaskIsSentAtOnceAndTheRestAsOneSummaryPerWindow() {
        assertThat(digest.failed(failed("j1", "email.send")))
                .get()
                .asString()
                .isEqualTo(
                        "Kyu job j1 of task email.send on queue mail FAILED after 3 attempt(s): java.io.IOException: smtp down");
        for (int i = 2; i <= 38; i++)
            assertThat(digest.failed(failed("j" + i, "email.send"))).isEmpty();
        assertThat(digest.flush(false)).isEmpty();

        clock.advance(Duration.ofSeconds(60));
        assertThat(digest.flush(false))
                .containsExactly(
                        "37 more job(s) of task email.send failed in the last minute (latest j38 on queue mail)");
        assertThat(digest.flush(false)).isEmpty();
        // A new window: the next failure is sent at once again.
        assertThat(digest.failed(failed("j39", "email.send"))).isPresent();
    }

    @Test
    void tasksAreCountedSeparatelyAndAQuietWindowClosesSilently() {
        assertThat(digest.failed(failed("a1", "a"))).isPresent();
        assertThat(digest.failed(failed("b1", "b"))).isPresent();
        assertThat(digest.failed(failed("b2", "b"))).isEmpty();
        clock.advance(Duration.ofMinutes(2));
        assertThat(digest.flush(false))
                .containsExactly("1 more job(s) of task b failed in the last minute (latest b2 on queue mail)");
    }

    @Test
    void aFailureAfterAnExpiredWindowCarriesTheOverdueSummary() {
        digest.failed(failed("a1", "a"));
        digest.failed(failed("a2", "a"));
        clock.advance(Duration.ofMinutes(5));
        assertThat(digest.failed(failed("a3", "a")))
                .get()
                .asString()
                .startsWith("1 more job(s) of task a failed in the last minute")
                .contains("\nKyu job a3 of task a");
    }
}
