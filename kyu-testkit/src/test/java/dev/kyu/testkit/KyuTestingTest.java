package dev.kyu.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kyu.Kyu;
import dev.kyu.client.JobHandle;
import dev.kyu.job.Backoff;
import dev.kyu.job.JobOptions;
import dev.kyu.job.JobState;
import dev.kyu.task.Task;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KyuTestingTest {
    record Signup(String email) {}

    record Email(String to, String subject) {}

    private final Task<Email, String> sendEmail =
            Task.of("email.send", Email.class, String.class, (e, ctx) -> "sent to " + e.to());

    @Test
    void assertsWhatWasEnqueuedAndDrainsItThroughTheRealExecutor() {
        try (Kyu kyu = KyuTesting.memoryKyu().register(sendEmail)) {
            var signup = Task.of(
                    "user.signup",
                    Signup.class,
                    (s, ctx) -> kyu.enqueue(sendEmail, new Email(s.email(), "Welcome"))
                            .id());
            kyu.register(signup);
            kyu.enqueue(signup, new Signup("ada@example.com"));

            KyuTesting.assertEnqueued(kyu, "user.signup", Map.of("email", "ada@example.com"));
            KyuTesting.assertNotEnqueued(kyu, "email.send");
            assertThat(KyuTesting.drain(kyu)).isEqualTo(2);
            KyuTesting.assertNotEnqueued(kyu, "user.signup");
            assertThat(kyu.admin().queues().get(0).count(JobState.SUCCEEDED)).isEqualTo(2);
        }
    }

    @Test
    void assertionFailureListsWhatWasEnqueuedInstead() {
        try (Kyu kyu = KyuTesting.memoryKyu().register(sendEmail)) {
            kyu.enqueue(sendEmail, new Email("bob@example.com", "Hi"));
            assertThatThrownBy(() -> KyuTesting.assertEnqueued(kyu, "email.send", new Email("ada@example.com", "Hi")))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("bob@example.com");
        }
    }

    @Test
    void inlineModeRunsJobsAtOnceWithRetriesAndAJsonRoundTrip() throws Exception {
        try (Kyu kyu = Kyu.inline().register(sendEmail)) {
            JobHandle<String> h = kyu.enqueue(sendEmail, new Email("ada@example.com", "Welcome"));
            assertThat(h.status()).isEqualTo(JobState.SUCCEEDED);
            assertThat(h.await(Duration.ofSeconds(1))).isEqualTo("sent to ada@example.com");

            var flaky = kyu.enqueue(
                    "kyu.fail",
                    Map.of("times", 2),
                    JobOptions.builder()
                            .maxAttempts(3)
                            .backoff(Backoff.fixed(Duration.ofHours(1)))
                            .build());
            assertThat(flaky.job().state())
                    .as("retries run at once, not after the hour of back-off")
                    .isEqualTo(JobState.SUCCEEDED);
            assertThat(flaky.job().attempt()).isEqualTo(3);
        }
    }

    @Test
    void inlineModeKeepsTheLastProgressAndHandsTheTaskItsFencingToken() {
        var report = Task.of("report.build", Signup.class, Long.class, (s, ctx) -> {
            for (int i = 1; i <= 10; i++) ctx.progress(i / 10.0, "part " + i);
            return ctx.fencingToken();
        });
        try (Kyu kyu = Kyu.inline().register(report)) {
            JobHandle<Long> h = kyu.enqueue(report, new Signup("a@example.com"));
            assertThat(h.status()).isEqualTo(JobState.SUCCEEDED);
            assertThat(h.progress()).contains(new dev.kyu.job.Progress(1.0, "part 10"));
            assertThat(h.job().result()).isEqualTo("1");
        }
    }
}
